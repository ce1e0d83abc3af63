<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>@default</name>
    <message>
        <location filename="../gui/actions.py" line="32"/>
        <source>Embed drawn extent</source>
        <translation>Gezeichnete Ausdehnung einbetten</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="33"/>
        <source>Drag a rectangle on the map and embed it with foundation models</source>
        <translation>Ein Rechteck auf der Karte aufziehen und mit Foundation-Modellen einbetten</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="36"/>
        <source>Check environment...</source>
        <translation>Umgebung prüfen...</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="42"/>
        <source>Settings...</source>
        <translation>Einstellungen...</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="165"/>
        <source>RS Embed</source>
        <translation>RS Embed</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="106"/>
        <source>lon/lat</source>
        <translation>Länge/Breite</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="78"/>
        <source>[needs {}]</source>
        <translation>[benötigt {}]</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="91"/>
        <source>RS Embed: embed drawn extent</source>
        <translation>RS Embed: gezeichnete Ausdehnung einbetten</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="69"/>
        <source>Extent</source>
        <translation>Ausdehnung</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="107"/>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="113"/>
        <source>Year (annual products)</source>
        <translation>Jahr (jährliche Produkte)</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="114"/>
        <source>Date range (imagery models)</source>
        <translation>Zeitraum (bildbasierte Modelle)</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="125"/>
        <source>to (exclusive)</source>
        <translation>bis (ausschließlich)</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="128"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="129"/>
        <source>Year</source>
        <translation>Jahr</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="130"/>
        <source>Dates</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="135"/>
        <source>Precomputed products: auto, gee (Earth Engine project needed) or cog (public copy, no account).</source>
        <translation>Vorberechnete Produkte: auto, gee (Earth-Engine-Projekt nötig) oder cog (öffentliche Kopie, kein Konto).</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="137"/>
        <source>Product backend</source>
        <translation>Produkt-Backend</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="141"/>
        <source>On-the-fly models: auto, stac (no account), gee, or local (a raster layer of this project).</source>
        <translation>Bei Bedarf berechnete Modelle: auto, stac (kein Konto), gee oder local (ein Rasterlayer dieses Projekts).</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="73"/>
        <source>Imagery source</source>
        <translation>Bildquelle</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="150"/>
        <source>Band map</source>
        <translation>Bandzuordnung</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="149"/>
        <source>by band names, e.g. B04=1,B03=2,B02=3</source>
        <translation>nach Bandnamen, z. B. B04=1,B03=2,B02=3</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="154"/>
        <source>Values of the raster</source>
        <translation>Werte des Rasters</translation>
    </message>
    <message>
        <location filename="../qgis_common/choices.py" line="68"/>
        <source>Local raster</source>
        <translation>Lokales Raster</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="113"/>
        <source>Output folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="164"/>
        <source>Run</source>
        <translation>Starten</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="223"/>
        <source>Tick at least one model.</source>
        <translation>Mindestens ein Modell ankreuzen.</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="226"/>
        <source>Choose an output folder.</source>
        <translation>Einen Ausgabeordner wählen.</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="230"/>
        <source>The output folder cannot be created: {}</source>
        <translation>Der Ausgabeordner kann nicht angelegt werden: {}</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="238"/>
        <source>The start date must come before the end date (the end is exclusive).</source>
        <translation>Das Startdatum muss vor dem Enddatum liegen (das Ende ist ausschließlich).</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="242"/>
        <source>The &apos;local&apos; imagery source needs a raster layer.</source>
        <translation>Die Bildquelle „local“ braucht einen Rasterlayer.</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="75"/>
        <source>RS Embed: check environment</source>
        <translation>RS Embed: Umgebung prüfen</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="45"/>
        <source>Check again</source>
        <translation>Erneut prüfen</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="89"/>
        <source>The check failed</source>
        <translation>Die Prüfung ist fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../qgis_common/run_layers.py" line="100"/>
        <source>{} PCA</source>
        <translation>{} PCA</translation>
    </message>
    <message>
        <location filename="../qgis_common/run_layers.py" line="100"/>
        <source>{} embedding</source>
        <translation>{} Einbettung</translation>
    </message>
    <message>
        <location filename="../gui/layers.py" line="24"/>
        <source>Could not load {}: the file is not a readable raster.</source>
        <translation>{} konnte nicht geladen werden: die Datei ist kein lesbares Raster.</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="45"/>
        <source>Empty fields use the RS_EMBED_* environment variable or the default. Processing algorithms, qgis_process and the drawn-extent action all use these values.</source>
        <translation>Leere Felder verwenden die Umgebungsvariable RS_EMBED_* oder den Standardwert. Processing-Algorithmen, qgis_process und die Aktion „Gezeichnete Ausdehnung einbetten“ verwenden alle diese Werte.</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="57"/>
        <source>default: RS_EMBED_CACHE_DIR or ~/.cache/rs_embed</source>
        <translation>Standard: RS_EMBED_CACHE_DIR oder ~/.cache/rs_embed</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="58"/>
        <source>default: &lt;cache folder&gt;/weights</source>
        <translation>Standard: &lt;Cache-Ordner&gt;/weights</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="65"/>
        <source>none: Earth Engine routes are not used</source>
        <translation>keins: Earth-Engine-Wege werden nicht verwendet</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="69"/>
        <source>default (auto)</source>
        <translation>Standard (auto)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="74"/>
        <source>default (8)</source>
        <translation>Standard (8)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="79"/>
        <source>default (2500 km²)</source>
        <translation>Standard (2500 km²)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="61"/>
        <source>GeoTIFF (*.tif *.tiff)</source>
        <translation>GeoTIFF (*.tif *.tiff)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="62"/>
        <source>default: &lt;cache folder&gt;/copernicus_embed/embed_map_310k.tif</source>
        <translation>Standard: &lt;Cache-Ordner&gt;/copernicus_embed/embed_map_310k.tif</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="91"/>
        <source>Cache folder</source>
        <translation>Cache-Ordner</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="91"/>
        <source>Weights folder</source>
        <translation>Ordner für Modellgewichte</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="94"/>
        <source>Earth Engine project</source>
        <translation>Earth-Engine-Projekt</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="94"/>
        <source>STAC endpoint</source>
        <translation>STAC-Endpunkt</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="101"/>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="96"/>
        <source>Batch size</source>
        <translation>Batchgröße</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="96"/>
        <source>Maximum ROI size</source>
        <translation>Maximale ROI-Größe</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="91"/>
        <source>Copernicus Embed file</source>
        <translation>Copernicus-Embed-Datei</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="82"/>
        <source>RS Embed: {} for {}</source>
        <translation>RS Embed: {} für {}</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="71"/>
        <source>See the RS Embed tab of the Log Messages panel for details.</source>
        <translation>Einzelheiten im Reiter „RS Embed“ des Protokollmeldungen-Bedienfelds.</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="147"/>
        <source>Cancelled: no files were left behind.</source>
        <translation>Abgebrochen: es wurden keine Dateien zurückgelassen.</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="152"/>
        <source>RS Embed: {} failed</source>
        <translation>RS Embed: {} fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="154"/>
        <source>Nothing was produced.</source>
        <translation>Es wurde nichts erzeugt.</translation>
    </message>
    <message>
        <location filename="../qgis_common/run_layers.py" line="20"/>
        <source>RS Embed {} {} ({})</source>
        <translation>RS Embed {} {} ({})</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="165"/>
        <source>Loaded {} layer(s) into the group &apos;{}&apos;.</source>
        <translation>{} Layer in die Gruppe „{}“ geladen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="54"/>
        <source>Analysis</source>
        <translation>Analyse</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="92"/>
        <source>Memory per block (MB): larger is faster, smaller uses less RAM</source>
        <translation>Speicher je Block (MB): größer ist schneller, kleiner braucht weniger RAM</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="103"/>
        <source>Choose an embedding raster for &apos;{}&apos;.</source>
        <translation>Ein Einbettungsraster für „{}“ wählen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="106"/>
        <source>&apos;{}&apos; must be a raster file read by GDAL (e.g. an embedding GeoTIFF), not a &apos;{}&apos; layer.</source>
        <translation>„{}“ muss eine von GDAL lesbare Rasterdatei sein (z. B. ein Einbettungs-GeoTIFF), kein Layer vom Typ „{}“.</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="17"/>
        <source>Core</source>
        <translation>Kern</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="17"/>
        <source>every model: GeoTIFF and PCA outputs, reprojection</source>
        <translation>jedes Modell: GeoTIFF- und PCA-Ausgaben, Umprojektion</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="18"/>
        <source>Tessera (precomputed)</source>
        <translation>Tessera (vorberechnet)</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="18"/>
        <source>tessera embeddings via geotessera</source>
        <translation>Tessera-Einbettungen über geotessera</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="19"/>
        <source>Google Satellite Embedding, public COG copy</source>
        <translation>Google Satellite Embedding, öffentliche COG-Kopie</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="19"/>
        <source>gse_annual with backend cog</source>
        <translation>gse_annual mit Backend cog</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="20"/>
        <source>Earth Engine</source>
        <translation>Earth Engine</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="20"/>
        <source>gse_annual with backend gee, Sentinel-2 imagery from gee</source>
        <translation>gse_annual mit Backend gee, Sentinel-2-Bilder aus gee</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="22"/>
        <source>Copernicus Embed (precomputed)</source>
        <translation>Copernicus Embed (vorberechnet)</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="22"/>
        <source>copernicus_embed download and windowed reads</source>
        <translation>copernicus_embed: Download und Lesen in Ausschnitten</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="24"/>
        <source>Sentinel-2 imagery from STAC</source>
        <translation>Sentinel-2-Bilder aus STAC</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="24"/>
        <source>imagery source stac (Earth Search, Planetary Computer)</source>
        <translation>Bildquelle stac (Earth Search, Planetary Computer)</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="26"/>
        <source>On-the-fly models</source>
        <translation>Bei Bedarf berechnete Modelle</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="26"/>
        <source>every on-the-fly model (Prithvi, Clay, OlmoEarth, TerraMind, DOFA, Galileo, THOR and the rest)</source>
        <translation>alle On-the-fly-Modelle (Prithvi, Clay, OlmoEarth, TerraMind, DOFA, Galileo, THOR und die übrigen)</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="29"/>
        <source>Analysis tools</source>
        <translation>Analysewerkzeuge</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="56"/>
        <source>broken</source>
        <translation>defekt</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="73"/>
        <source>missing</source>
        <translation>fehlt</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="69"/>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="81"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="69"/>
        <source>Packages</source>
        <translation>Pakete</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="143"/>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="74"/>
        <source>nothing extra</source>
        <translation>nichts weiter</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="100"/>
        <source>virtual environment</source>
        <translation>virtuelle Umgebung</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="102"/>
        <source>RS Embed environment</source>
        <translation>RS-Embed-Umgebung</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="108"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="116"/>
        <source>Every model family has what it needs.</source>
        <translation>Jede Modellfamilie hat, was sie braucht.</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="119"/>
        <source>Settings in effect</source>
        <translation>Geltende Einstellungen</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="139"/>
        <source>missing {}</source>
        <translation>fehlt: {}</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="145"/>
        <source>GPU: {}</source>
        <translation>GPU: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="42"/>
        <source>Check environment</source>
        <translation>Umgebung prüfen</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="84"/>
        <source>Tools</source>
        <translation>Werkzeuge</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="57"/>
        <source>Import every package (catches broken installs)</source>
        <translation>Jedes Paket importieren (findet defekte Installationen)</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="61"/>
        <source>Environment report</source>
        <translation>Umgebungsbericht</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="125"/>
        <source>HTML files (*.html)</source>
        <translation>HTML-Dateien (*.html)</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="65"/>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="68"/>
        <source>Number of missing packages</source>
        <translation>Anzahl fehlender Pakete</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="28"/>
        <source>Cluster embeddings (k-means)</source>
        <translation>Einbettungen clustern</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="31"/>
        <source>Groups the pixels of an embedding raster into K clusters with k-means (k-means++ start, Lloyd iterations, best of 3 starts) fitted on a uniform random sample of valid pixels, then assigns every pixel to its nearest centre block by block.&lt;br&gt;Output: a uint8 GeoTIFF with clusters 1..K (1 = the largest cluster in the sample) and 0 where there is no data, with a colour table; loaded with a paletted renderer.&lt;br&gt;&lt;b&gt;Seed&lt;/b&gt; makes runs repeatable; a larger &lt;b&gt;sample size&lt;/b&gt; fits the centres more precisely at the cost of time and memory (sample size x bands x 4 bytes).</source>
        <translation>Gruppiert die Pixel eines Einbettungsrasters mit k-Means in K Cluster (k-means++-Start, Lloyd-Iterationen, bester von 3 Starts), angepasst an eine gleichmäßige Zufallsstichprobe gültiger Pixel, und ordnet dann Block für Block jedes Pixel dem nächsten Zentrum zu.&lt;br&gt;Ausgabe: ein uint8-GeoTIFF mit den Clustern 1..K (1 = der größte Cluster der Stichprobe) und 0, wo keine Daten vorliegen, mit Farbtabelle; geladen mit einem Paletten-Renderer.&lt;br&gt;&lt;b&gt;Startwert&lt;/b&gt; macht Läufe wiederholbar; eine größere &lt;b&gt;Stichprobe&lt;/b&gt; passt die Zentren genauer an, kostet aber Zeit und Speicher (Stichprobengröße x Bänder x 4 Byte).</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="67"/>
        <source>Embedding raster</source>
        <translation>Einbettungsraster</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="42"/>
        <source>Number of clusters (K)</source>
        <translation>Anzahl der Cluster (K)</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="116"/>
        <source>Random seed</source>
        <translation>Zufallsstartwert</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="47"/>
        <source>Pixels sampled to fit the centres</source>
        <translation>Pixel in der Stichprobe zum Anpassen der Zentren</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="54"/>
        <source>Clusters</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="55"/>
        <source>Inertia (sum of squared distances, sample)</source>
        <translation>Trägheit (Summe der quadrierten Abstände, Stichprobe)</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="56"/>
        <source>Pixels per cluster (JSON list)</source>
        <translation>Pixel je Cluster (JSON-Liste)</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="66"/>
        <source>Pixels per cluster: {}</source>
        <translation>Pixel je Cluster: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="51"/>
        <source>Compare models</source>
        <translation>Modelle vergleichen</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="64"/>
        <source>Embeddings</source>
        <translation>Einbettungen</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="75"/>
        <source>Extent (any CRS)</source>
        <translation>Ausdehnung (beliebiges KBS)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="79"/>
        <source>Start date (inclusive; imagery models)</source>
        <translation>Startdatum (einschließlich; bildbasierte Modelle)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="80"/>
        <source>End date (exclusive; imagery models)</source>
        <translation>Enddatum (ausschließlich; bildbasierte Modelle)</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="89"/>
        <source>Reference grid: a model&apos;s native grid</source>
        <translation>Referenzraster: das native Raster eines Modells</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="91"/>
        <source>Or: common resolution in metres (ROI&apos;s UTM zone)</source>
        <translation>Oder: gemeinsame Auflösung in Metern (UTM-Zone der ROI)</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="103"/>
        <source>Neighbours for k-NN agreement (k)</source>
        <translation>Nachbarn für die k-NN-Übereinstimmung (k)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="55"/>
        <source>Backend for precomputed products</source>
        <translation>Backend für vorberechnete Produkte</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="82"/>
        <source>Imagery source for on-the-fly models</source>
        <translation>Bildquelle für bei Bedarf berechnete Modelle</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="114"/>
        <source>Grids and PCA maps</source>
        <translation>Raster und PCA-Karten</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="116"/>
        <source>Comparison report</source>
        <translation>Vergleichsbericht</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="117"/>
        <source>Comparison table (CSV)</source>
        <translation>Vergleichstabelle (CSV)</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="118"/>
        <source>Models that ran</source>
        <translation>Gelaufene Modelle</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="124"/>
        <source>Choose at least one model.</source>
        <translation>Mindestens ein Modell wählen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="142"/>
        <source>{} skipped: {}</source>
        <translation>{} übersprungen: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="57"/>
        <source>Embed features</source>
        <translation>Objekte einbetten</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="60"/>
        <source>One pooled embedding (mean over the covered pixels) per feature of a vector layer: a square of 2 x &lt;b&gt;buffer&lt;/b&gt; ground metres around each point, or the bounding box of each line or polygon. The features keep their attributes and gain &lt;i&gt;model&lt;/i&gt;, &lt;i&gt;coverage&lt;/i&gt; (fraction of the area with data) and one attribute per dimension (e000, e001, ...). The model is loaded once for all features. A feature that fails (no data, outside coverage) is reported and left with empty (NULL) embedding attributes; the run fails only if every feature does.&lt;br&gt;Optionally also writes a NumPy array (features x dimensions, float32, NaN rows for failures) in the order of the output features.&lt;br&gt;&lt;br&gt;Models:</source>
        <translation>Eine zusammengefasste Einbettung (Mittel über die abgedeckten Pixel) je Objekt eines Vektorlayers: ein Quadrat von 2 x &lt;b&gt;Puffer&lt;/b&gt; Metern am Boden um jeden Punkt oder das umschließende Rechteck jeder Linie bzw. jedes Polygons. Die Objekte behalten ihre Attribute und erhalten &lt;i&gt;model&lt;/i&gt;, &lt;i&gt;coverage&lt;/i&gt; (Anteil der Fläche mit Daten) und ein Attribut je Dimension (e000, e001, ...). Das Modell wird einmal für alle Objekte geladen. Ein Objekt, das fehlschlägt (keine Daten, außerhalb der Abdeckung), wird gemeldet und behält leere (NULL-)Einbettungsattribute; der Lauf schlägt nur fehl, wenn alle Objekte fehlschlagen.&lt;br&gt;Optional wird zusätzlich ein NumPy-Array (Objekte x Dimensionen, float32, NaN-Zeilen für Fehlschläge) in der Reihenfolge der ausgegebenen Objekte geschrieben.&lt;br&gt;&lt;br&gt;Modelle:</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="72"/>
        <source>Features (points, lines or polygons)</source>
        <translation>Objekte (Punkte, Linien oder Polygone)</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="81"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="78"/>
        <source>Half-size of the square around points (metres)</source>
        <translation>Halbe Kantenlänge des Quadrats um Punkte (Meter)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="88"/>
        <source>Embedded features</source>
        <translation>Eingebettete Objekte</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="89"/>
        <source>Embeddings as a NumPy array</source>
        <translation>Einbettungen als NumPy-Array</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="89"/>
        <source>NumPy array (*.npy)</source>
        <translation>NumPy-Array (*.npy)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="92"/>
        <source>Features without an embedding</source>
        <translation>Objekte ohne Einbettung</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="114"/>
        <source>Embedding dimension</source>
        <translation>Einbettungsdimension</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="100"/>
        <source>Choose a vector layer of features to embed.</source>
        <translation>Einen Vektorlayer mit einzubettenden Objekten wählen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="109"/>
        <source>no geometry</source>
        <translation>keine Geometrie</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="117"/>
        <source>The layer has no features to embed.</source>
        <translation>Der Layer hat keine Objekte zum Einbetten.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="125"/>
        <source>Embedding {} features with {} for {}</source>
        <translation>Bette {} Objekte mit {} für {} ein</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="150"/>
        <source>Feature {} has no embedding: {}</source>
        <translation>Objekt {} hat keine Einbettung: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="155"/>
        <source>The layer already has fields named like the embedding&apos;s; the new fields are prefixed with rse_.</source>
        <translation>Der Layer hat bereits Felder mit den Namen der Einbettung; die neuen Felder erhalten das Präfix rse_.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="142"/>
        <source>{} of {} features embedded ({} dimensions).</source>
        <translation>{} von {} Objekten eingebettet ({} Dimensionen).</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="52"/>
        <source>Embed ROI</source>
        <translation>ROI einbetten</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="84"/>
        <source>Input raster for the &apos;local&apos; imagery source</source>
        <translation>Eingaberaster für die Bildquelle „local“</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="85"/>
        <source>Maximum scene cloud cover (%)</source>
        <translation>Maximale Wolkenbedeckung der Szene (%)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="88"/>
        <source>Composite of the scenes in the window</source>
        <translation>Komposit der Szenen im Zeitfenster</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="99"/>
        <source>Input preparation for large ROIs (resize / tile / auto)</source>
        <translation>Eingabevorbereitung für große ROIs (resize / tile / auto)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="108"/>
        <source>Embedding grid</source>
        <translation>Einbettungsraster</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="109"/>
        <source>PCA pseudocolour</source>
        <translation>PCA-Falschfarben</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="111"/>
        <source>Pooled embedding (ROI polygon)</source>
        <translation>Zusammengefasste Einbettung (ROI-Polygon)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="115"/>
        <source>Fraction of the ROI covered</source>
        <translation>Abgedeckter Anteil der ROI</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="116"/>
        <source>Run metadata (JSON)</source>
        <translation>Metadaten des Laufs (JSON)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="104"/>
        <source>The &apos;local&apos; imagery source needs an input raster.</source>
        <translation>Die Bildquelle „local“ braucht ein Eingaberaster.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="34"/>
        <source>Embedding change</source>
        <translation>Änderung der Einbettung</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="37"/>
        <source>Per-pixel change between two years of the same model as cosine distance 1 - cos(a, b): 0 = the same vector, 1 = orthogonal, up to 2 = opposite.&lt;br&gt;&lt;br&gt;Either give two embedding rasters (&lt;b&gt;Embeddings A and B&lt;/b&gt;; B is resampled onto A&apos;s grid when the grids differ), or an &lt;b&gt;Extent&lt;/b&gt;, a &lt;b&gt;Model&lt;/b&gt; and &lt;b&gt;Year A&lt;/b&gt; / &lt;b&gt;Year B&lt;/b&gt;: the model is run for both years (optionally keeping both grids).&lt;br&gt;Output: float32 GeoTIFF on A&apos;s grid, NaN where either has no data, styled with a colour ramp (2-98 % stretch). Processed block by block.</source>
        <translation>Änderung je Pixel zwischen zwei Jahren desselben Modells als Kosinus-Abstand 1 - cos(a, b): 0 = derselbe Vektor, 1 = orthogonal, bis 2 = entgegengesetzt.&lt;br&gt;&lt;br&gt;Entweder zwei Einbettungsraster angeben (&lt;b&gt;Einbettungen A und B&lt;/b&gt;; B wird auf das Raster von A umgetastet, wenn die Raster verschieden sind) oder eine &lt;b&gt;Ausdehnung&lt;/b&gt;, ein &lt;b&gt;Modell&lt;/b&gt; und &lt;b&gt;Jahr A&lt;/b&gt; / &lt;b&gt;Jahr B&lt;/b&gt;: das Modell wird für beide Jahre ausgeführt (auf Wunsch werden beide Raster behalten).&lt;br&gt;Ausgabe: float32-GeoTIFF auf dem Raster von A, NaN, wo eines keine Daten hat, mit einem Farbverlauf dargestellt (Streckung 2-98 %). Blockweise verarbeitet.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="47"/>
        <source>Embedding A (earlier)</source>
        <translation>Einbettung A (früher)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="48"/>
        <source>Embedding B (later)</source>
        <translation>Einbettung B (später)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="49"/>
        <source>Or: extent (any CRS)</source>
        <translation>Oder: Ausdehnung (beliebiges KBS)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="50"/>
        <source>Model (with an extent)</source>
        <translation>Modell (mit Ausdehnung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="52"/>
        <source>Year A (with an extent)</source>
        <translation>Jahr A (mit Ausdehnung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="52"/>
        <source>Year B (with an extent)</source>
        <translation>Jahr B (mit Ausdehnung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="57"/>
        <source>Resampling of B onto A&apos;s grid</source>
        <translation>Umtastung von B auf das Raster von A</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="62"/>
        <source>Change (cosine distance)</source>
        <translation>Änderung (Kosinus-Abstand)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="63"/>
        <source>Embedding grid of year A</source>
        <translation>Einbettungsraster von Jahr A</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="63"/>
        <source>Embedding grid of year B</source>
        <translation>Einbettungsraster von Jahr B</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="66"/>
        <source>Mean cosine distance</source>
        <translation>Mittlerer Kosinus-Abstand</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="78"/>
        <source>Give both embeddings A and B, or neither and an extent with two years.</source>
        <translation>Beide Einbettungen A und B angeben oder keine von beiden und eine Ausdehnung mit zwei Jahren.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="83"/>
        <source>B was resampled onto A&apos;s grid ({}).</source>
        <translation>B wurde auf das Raster von A umgetastet ({}).</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="93"/>
        <source>Give two embedding rasters, or an extent with a model and two years.</source>
        <translation>Zwei Einbettungsraster angeben oder eine Ausdehnung mit einem Modell und zwei Jahren.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="96"/>
        <source>With an extent, give Year A and Year B.</source>
        <translation>Mit einer Ausdehnung Jahr A und Jahr B angeben.</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="42"/>
        <source>Fetch imagery</source>
        <translation>Bilder abrufen</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="70"/>
        <source>Start date (inclusive)</source>
        <translation>Startdatum (einschließlich)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="71"/>
        <source>End date (exclusive)</source>
        <translation>Enddatum (ausschließlich)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="76"/>
        <source>Input raster (for the &apos;local&apos; source)</source>
        <translation>Eingaberaster (für die Quelle „local“)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="83"/>
        <source>Bands (RGB, RGBN, all S2, or e.g. B04,B03,B02,B08)</source>
        <translation>Bänder (RGB, RGBN, alle S2 oder z. B. B04,B03,B02,B08)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="91"/>
        <source>Pixel size (ground metres, local UTM)</source>
        <translation>Pixelgröße (Meter am Boden, lokales UTM)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="93"/>
        <source>Mask clouds per pixel</source>
        <translation>Wolken je Pixel maskieren</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="78"/>
        <source>Band mapping for the input raster (e.g. B04=3,B03=2,B02=1)</source>
        <translation>Bandzuordnung für das Eingaberaster (z. B. B04=3,B03=2,B02=1)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="98"/>
        <source>Imagery</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="120"/>
        <source>Source: {}; {} scene(s): {}</source>
        <translation>Quelle: {}; {} Szene(n): {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="121"/>
        <source> (from the cache)</source>
        <translation> (aus dem Zwischenspeicher)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="127"/>
        <source>Imagery {} {}</source>
        <translation>Bilder {} {}</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="74"/>
        <source>Year (for annual products)</source>
        <translation>Jahr (für jährliche Produkte)</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="96"/>
        <source>The extent {} is empty or inverted: give xmin &lt; xmax and ymin &lt; ymax.</source>
        <translation>Die Ausdehnung {} ist leer oder vertauscht: xmin &lt; xmax und ymin &lt; ymax angeben.</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="115"/>
        <source>The extent is empty: draw or type an area with a width and a height.</source>
        <translation>Die Ausdehnung ist leer: eine Fläche mit Breite und Höhe zeichnen oder eingeben.</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="128"/>
        <source>The extent cannot be transformed to longitude/latitude ({}): it is not on Earth in {}.</source>
        <translation>Die Ausdehnung kann nicht in Länge/Breite umgerechnet werden ({}): sie liegt in {} nicht auf der Erde.</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="132"/>
        <source>The extent is not on Earth after transformation from {} to EPSG:4326.</source>
        <translation>Die Ausdehnung liegt nach der Umrechnung von {} nach EPSG:4326 nicht auf der Erde.</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="210"/>
        <source>The extent is not on Earth: the point ({}, {}) in {} has no longitude/latitude. Check the extent&apos;s coordinates and CRS.</source>
        <translation>Die Ausdehnung liegt nicht auf der Erde: der Punkt ({}, {}) in {} hat keine Länge/Breite. Koordinaten und KBS der Ausdehnung prüfen.</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="241"/>
        <source>Give both a start and an end date (the end is exclusive), or neither and a year.</source>
        <translation>Sowohl ein Start- als auch ein Enddatum angeben (das Ende ist ausschließlich) oder keines von beiden und ein Jahr.</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="244"/>
        <source>Give a year, or a start and an end date.</source>
        <translation>Ein Jahr angeben oder ein Start- und ein Enddatum.</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="282"/>
        <source>Cancelled: {}</source>
        <translation>Abgebrochen: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/pca_rgb.py" line="21"/>
        <source>PCA RGB of embeddings</source>
        <translation>PCA-RGB von Einbettungen</translation>
    </message>
    <message>
        <location filename="../processing_provider/pca_rgb.py" line="24"/>
        <source>Projects every pixel of an embedding raster (any model, one band per dimension, NaN or the raster&apos;s no-data where empty) onto its first three principal components and writes them as an RGBA GeoTIFF (2-98 % stretch, transparent where there is no data). The PCA is fitted on a regular sample of up to 200,000 pixels and applied block by block, so large rasters fit in memory. The explained variance is stored in the tag RS_EMBED_PCA_EXPLAINED.</source>
        <translation>Projiziert jedes Pixel eines Einbettungsrasters (beliebiges Modell, ein Band je Dimension, NaN oder der NoData-Wert des Rasters, wo leer) auf seine ersten drei Hauptkomponenten und schreibt sie als RGBA-GeoTIFF (Streckung 2-98 %, transparent, wo keine Daten vorliegen). Die PCA wird an einer regelmäßigen Stichprobe von bis zu 200.000 Pixeln angepasst und blockweise angewendet, sodass auch große Raster in den Speicher passen. Die erklärte Varianz steht im Tag RS_EMBED_PCA_EXPLAINED.</translation>
    </message>
    <message>
        <location filename="../processing_provider/pca_rgb.py" line="34"/>
        <source>PCA RGB</source>
        <translation>PCA-RGB</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="31"/>
        <source>Reference feature {} has no geometry; skipped.</source>
        <translation>Referenzobjekt {} hat keine Geometrie; übersprungen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="41"/>
        <source>Reference feature {} is neither a point nor a polygon; skipped.</source>
        <translation>Referenzobjekt {} ist weder Punkt noch Polygon; übersprungen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="53"/>
        <source>Similarity map</source>
        <translation>Ähnlichkeitskarte</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="56"/>
        <source>Cosine similarity (-1..1) of every pixel of an embedding raster to reference vectors taken from the raster itself: the pixel under each reference point, or the mean vector of the pixels inside each reference polygon (a polygon smaller than a pixel takes the pixels it touches). Give a point/polygon layer (its selected features if &apos;selected features only&apos; is ticked), a single point, or both.&lt;br&gt;&lt;br&gt;&lt;b&gt;Combine&lt;/b&gt;: &lt;i&gt;max&lt;/i&gt; gives each pixel its similarity to the closest reference; &lt;i&gt;mean&lt;/i&gt; compares it with the mean direction of all references.&lt;br&gt;Output: float32 GeoTIFF, NaN where there is no data, styled with a colour ramp (2-98 % stretch). The raster is processed block by block.</source>
        <translation>Kosinus-Ähnlichkeit (-1..1) jedes Pixels eines Einbettungsrasters zu Referenzvektoren aus dem Raster selbst: das Pixel unter jedem Referenzpunkt oder der Mittelvektor der Pixel in jedem Referenzpolygon (ein Polygon, das kleiner als ein Pixel ist, nimmt die Pixel, die es berührt). Einen Punkt-/Polygonlayer (bei angekreuztem „Nur gewählte Objekte“ dessen gewählte Objekte), einen einzelnen Punkt oder beides angeben.&lt;br&gt;&lt;br&gt;&lt;b&gt;Kombinieren&lt;/b&gt;: &lt;i&gt;max&lt;/i&gt; gibt jedem Pixel seine Ähnlichkeit zur nächstgelegenen Referenz; &lt;i&gt;mean&lt;/i&gt; vergleicht es mit der mittleren Richtung aller Referenzen.&lt;br&gt;Ausgabe: float32-GeoTIFF, NaN, wo keine Daten vorliegen, mit einem Farbverlauf dargestellt (Streckung 2-98 %). Das Raster wird blockweise verarbeitet.</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="68"/>
        <source>Reference points or polygons</source>
        <translation>Referenzpunkte oder -polygone</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="71"/>
        <source>Reference point</source>
        <translation>Referenzpunkt</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="72"/>
        <source>Combine several references by</source>
        <translation>Mehrere Referenzen kombinieren über</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="74"/>
        <source>Similarity</source>
        <translation>Ähnlichkeit</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="75"/>
        <source>Reference vectors used</source>
        <translation>Verwendete Referenzvektoren</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="76"/>
        <source>Mean similarity</source>
        <translation>Mittlere Ähnlichkeit</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="89"/>
        <source>Give reference points or polygons (a layer) or a reference point.</source>
        <translation>Referenzpunkte oder -polygone (einen Layer) oder einen Referenzpunkt angeben.</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="96"/>
        <source>Reference skipped: {}</source>
        <translation>Referenz übersprungen: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="75"/>
        <source> (importing each package)</source>
        <translation> (jedes Paket wird importiert)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="83"/>
        <source>A download that moves less than 1 KiB in this time fails.</source>
        <translation>Ein Download, der in dieser Zeit weniger als 1 KiB überträgt, schlägt fehl.</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="74"/>
        <source>Checking the core&apos;s environment (importing each package)...</source>
        <translation>Die Umgebung des Kerns wird geprüft (jedes Paket wird importiert)...</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="75"/>
        <source>Checking the core&apos;s environment{}...</source>
        <translation>Die Umgebung des Kerns wird geprüft{}...</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="47"/>
        <source>Checks the core's own environment (the Python of the core, not QGIS's): for each model family whether its pinned packages are installed (with the installed and pinned versions), which models can run, and whether torch sees a GPU (CUDA or Apple MPS) or runs on the CPU.&lt;br&gt;&lt;br&gt;&lt;b&gt;Import every package&lt;/b&gt; also imports each present package to catch broken installs.&lt;br&gt;&lt;b&gt;Install what is missing&lt;/b&gt; installs exactly the missing pinned packages into the core's environment (never into QGIS's Python).&lt;br&gt;&lt;br&gt;Before set-up it says how to set up: Raster › RS Embed › Set up RS Embed.</source>
        <translation>Prüft die eigene Umgebung des Kerns (das Python des Kerns, nicht das von QGIS): für jede Modellfamilie, ob ihre festgelegten Pakete installiert sind (mit installierter und festgelegter Version), welche Modelle laufen können und ob torch eine GPU (CUDA oder Apple MPS) sieht oder auf der CPU rechnet.&lt;br&gt;&lt;br&gt;&lt;b&gt;Jedes Paket importieren&lt;/b&gt; importiert zusätzlich jedes vorhandene Paket, um defekte Installationen zu finden.&lt;br&gt;&lt;b&gt;Fehlendes installieren&lt;/b&gt; installiert genau die fehlenden festgelegten Pakete in die Umgebung des Kerns (nie in das Python von QGIS).&lt;br&gt;&lt;br&gt;Vor der Einrichtung sagt es, wie man einrichtet: Raster › RS Embed › RS Embed einrichten.</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="62"/>
        <source>Choose at least one model family.</source>
        <translation>Mindestens eine Modellfamilie wählen.</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="96"/>
        <source>Computation</source>
        <translation>Berechnung</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="43"/>
        <source>Copy report</source>
        <translation>Bericht kopieren</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="89"/>
        <source>Core environment</source>
        <translation>Umgebung des Kerns</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="39"/>
        <source>Create RS Embed&apos;s own Python environment and install the core and the precomputed products into it</source>
        <translation>Die eigene Python-Umgebung von RS Embed anlegen und den Kern und die vorberechneten Produkte darin installieren</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="132"/>
        <source>Create RS Embed&apos;s own Python environment in
{}
and install the core and the precomputed products ({}) into it? This downloads about 300 MB. Progress shows in the task manager; the toolbox algorithm &apos;Set up RS Embed&apos; offers more choices (other families, a Python of your choice, an offline folder of wheels).</source>
        <translation>Die eigene Python-Umgebung von RS Embed in
{}
anlegen und den Kern und die vorberechneten Produkte ({}) darin installieren? Dabei werden etwa 300 MB heruntergeladen. Der Fortschritt erscheint im Aufgabenmanager; der Werkzeugkasten-Algorithmus „RS Embed einrichten“ bietet mehr Möglichkeiten (weitere Familien, ein Python Ihrer Wahl, ein Offline-Ordner mit Wheels).</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="36"/>
        <source>Creates RS Embed&apos;s own Python environment (a virtual environment in the profile&apos;s folder rs_embed/) from a Python 3.11 or newer, and installs the pinned packages of the chosen model families into it. Only what is missing is installed; pip&apos;s output goes to the log, and cancel stops it. The core then runs in that environment, away from QGIS&apos;s own libraries.&lt;br&gt;&lt;br&gt;&lt;b&gt;Python to build from&lt;/b&gt;: optional; by default a Python 3.11+ with venv is looked for.&lt;br&gt;&lt;b&gt;Folder of wheels&lt;/b&gt;: optional; install offline from it (pip --no-index --find-links).&lt;br&gt;If the setting &apos;Python of the core&apos; (RS_EMBED_PYTHON) names another Python, that one keeps running the core.&lt;br&gt;&lt;br&gt;Families:</source>
        <translation>Legt die eigene Python-Umgebung von RS Embed an (eine virtuelle Umgebung im Profilordner rs_embed/), aus einem Python 3.11 oder neuer, und installiert die festgelegten Pakete der gewählten Modellfamilien darin. Nur Fehlendes wird installiert; die Ausgabe von pip geht ins Protokoll, und Abbrechen beendet pip. Der Kern läuft dann in dieser Umgebung, getrennt von den Bibliotheken von QGIS.&lt;br&gt;&lt;br&gt;&lt;b&gt;Python als Grundlage&lt;/b&gt;: optional; sonst wird ein Python 3.11+ mit venv gesucht.&lt;br&gt;&lt;b&gt;Ordner mit Wheels&lt;/b&gt;: optional; installiert offline daraus (pip --no-index --find-links).&lt;br&gt;Nennt die Einstellung „Python des Kerns“ (RS_EMBED_PYTHON) ein anderes Python, führt weiterhin dieses den Kern aus.&lt;br&gt;&lt;br&gt;Familien:</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="30"/>
        <source>Dask</source>
        <translation>Dask</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="91"/>
        <source>Data and cache</source>
        <translation>Daten und Zwischenspeicher</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="94"/>
        <source>Data sources</source>
        <translation>Datenquellen</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="99"/>
        <source>Downloads</source>
        <translation>Downloads</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="56"/>
        <source>Environment folder</source>
        <translation>Ordner der Umgebung</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="106"/>
        <source>Families</source>
        <translation>Familien</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="52"/>
        <source>Folder of wheels (offline installation)</source>
        <translation>Ordner mit Wheels (Offline-Installation)</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="37"/>
        <source>Install what is missing</source>
        <translation>Fehlendes installieren</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="59"/>
        <source>Install what is missing into the core&apos;s environment</source>
        <translation>Fehlendes in die Umgebung des Kerns installieren</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="69"/>
        <source>Install what is missing with Raster › RS Embed › Check environment.</source>
        <translation>Fehlendes über Raster › RS Embed › Umgebung prüfen installieren.</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="108"/>
        <source>Installing what {} lack into {} ...</source>
        <translation>Was {} fehlt, wird in {} installiert ...</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="111"/>
        <source>Installing {} into {} ... (progress in the task manager, pip&apos;s output in the RS Embed log)</source>
        <translation>{} wird in {} installiert ... (Fortschritt im Aufgabenmanager, Ausgabe von pip im Protokoll „RS Embed“)</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="38"/>
        <source>Installs exactly the missing pinned packages into the core&apos;s environment (never into QGIS&apos;s own Python).</source>
        <translation>Installiert genau die fehlenden festgelegten Pakete in die Umgebung des Kerns (nie in das Python von QGIS).</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="99"/>
        <source>Longest download</source>
        <translation>Längster Download</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="67"/>
        <source>Missing families</source>
        <translation>Fehlende Familien</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="79"/>
        <source>Missing in the core&apos;s environment: {}. See Check environment.</source>
        <translation>Fehlt in der Umgebung des Kerns: {}. Siehe „Umgebung prüfen“.</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="66"/>
        <source>Missing packages (pinned requirements)</source>
        <translation>Fehlende Pakete (festgelegte Versionen)</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="47"/>
        <source>Model families to install</source>
        <translation>Zu installierende Modellfamilien</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="71"/>
        <source>Needs the families: {}</source>
        <translation>Braucht die Familien: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="57"/>
        <source>Packages installed by this run</source>
        <translation>Von diesem Lauf installierte Pakete</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="103"/>
        <source>Python of the core</source>
        <translation>Python des Kerns</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="71"/>
        <source>Python of the core: {}</source>
        <translation>Python des Kerns: {}</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="133"/>
        <source>Python of the core: {} ({})</source>
        <translation>Python des Kerns: {} ({})</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="49"/>
        <source>Python to build the environment from (3.11 or newer)</source>
        <translation>Python als Grundlage der Umgebung (3.11 oder neuer)</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="41"/>
        <source>RS Embed is not set up yet</source>
        <translation>RS Embed ist noch nicht eingerichtet</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="74"/>
        <source>RS Embed is not set up: run Raster › RS Embed › Set up RS Embed.</source>
        <translation>RS Embed ist nicht eingerichtet: Raster › RS Embed › RS Embed einrichten ausführen.</translation>
    </message>
    <message>
        <location filename="../gui/env_tasks.py" line="80"/>
        <source>RS Embed: install {}</source>
        <translation>RS Embed: {} installieren</translation>
    </message>
    <message>
        <location filename="../gui/env_tasks.py" line="72"/>
        <source>RS Embed: set up {}</source>
        <translation>RS Embed: {} einrichten</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="35"/>
        <source>Set it up with {} › Set up RS Embed (or headless: qgis_process run rs_embed:setup_environment), or point the setting 'Python of the core' (RS_EMBED_PYTHON) at a Python that has the core's packages.</source>
        <translation>Richten Sie es mit {} › RS Embed einrichten ein (ohne Oberfläche: qgis_process run rs_embed:setup_environment), oder lassen Sie die Einstellung „Python des Kerns“ (RS_EMBED_PYTHON) auf ein Python mit den Paketen des Kerns zeigen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="28"/>
        <source>Set up RS Embed</source>
        <translation>RS Embed einrichten</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="38"/>
        <source>Set up RS Embed...</source>
        <translation>RS Embed einrichten...</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="122"/>
        <source>Setting up RS Embed ... (progress in the task manager, pip&apos;s output in the RS Embed log)</source>
        <translation>RS Embed wird eingerichtet ... (Fortschritt im Aufgabenmanager, Ausgabe von pip im Protokoll „RS Embed“)</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="65"/>
        <source>Setting up {} in {}</source>
        <translation>{} wird in {} eingerichtet</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="99"/>
        <source>Stalled after</source>
        <translation>Abbruch bei Stillstand nach</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="52"/>
        <source>The Python that runs the core (RS_EMBED_PYTHON): leave empty to use the environment of Raster › RS Embed › Set up RS Embed, or name the python of an existing environment (venv, conda) that has the core's packages.</source>
        <translation>Das Python, das den Kern ausführt (RS_EMBED_PYTHON): leer lassen für die Umgebung aus Raster › RS Embed › RS Embed einrichten, oder das python einer vorhandenen Umgebung (venv, conda) mit den Paketen des Kerns angeben.</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="124"/>
        <source>The families {} are missing. 'Install what is missing' (Raster › RS Embed › Check environment) installs exactly their pinned packages into the core's environment; headless: qgis_process run rs_embed:check_environment -- INSTALL_MISSING=true. Nothing is installed into QGIS's own Python.</source>
        <translation>Die Familien {} fehlen. „Fehlendes installieren“ (Raster › RS Embed › Umgebung prüfen) installiert genau ihre festgelegten Pakete in die Umgebung des Kerns; ohne Oberfläche: qgis_process run rs_embed:check_environment -- INSTALL_MISSING=true. In das Python von QGIS wird nichts installiert.</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="85"/>
        <source>The longest one download may take, retries included.</source>
        <translation>Die längste Zeit, die ein Download dauern darf, Wiederholungen eingeschlossen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/setup_environment.py" line="73"/>
        <source>The setting &apos;Python of the core&apos; (RS_EMBED_PYTHON) names another Python, which keeps running the core; clear it to use this environment.</source>
        <translation>Die Einstellung „Python des Kerns“ (RS_EMBED_PYTHON) nennt ein anderes Python, das weiterhin den Kern ausführt; leeren Sie sie, um diese Umgebung zu verwenden.</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="114"/>
        <source>What is missing</source>
        <translation>Was fehlt</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="73"/>
        <source>[not set up]</source>
        <translation>[nicht eingerichtet]</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="29"/>
        <source>cluster embeddings (k-means), compare models, reports</source>
        <translation>Embeddings clustern (k-means), Modelle vergleichen, Berichte</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="84"/>
        <source>default (3600 s)</source>
        <translation>Standard (3600 s)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="82"/>
        <source>default (60 s)</source>
        <translation>Standard (60 s)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="51"/>
        <source>default: the environment made by Set up RS Embed</source>
        <translation>Standard: die Umgebung aus „RS Embed einrichten“</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="30"/>
        <source>large extents in chunks, on a local or remote Dask cluster</source>
        <translation>große Ausdehnungen in Blöcken, auf einem lokalen oder entfernten Dask-Cluster</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="144"/>
        <source>model {}: {}</source>
        <translation>Modell {}: {}</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="100"/>
        <source>named by the setting &apos;Python of the core&apos; (RS_EMBED_PYTHON)</source>
        <translation>gewählt mit der Einstellung „Python des Kerns“ (RS_EMBED_PYTHON)</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="143"/>
        <source>needs {}</source>
        <translation>braucht {}</translation>
    </message>
    <message>
        <location filename="../qgis_common/env_report.py" line="62"/>
        <source>pinned</source>
        <translation>festgelegt</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="99"/>
        <source>the environment made by Set up RS Embed</source>
        <translation>die Umgebung aus „RS Embed einrichten“</translation>
    </message>
    <message>
        <location filename="../gui/env_tasks.py" line="47"/>
        <source>{}: cancelled.</source>
        <translation>{}: abgebrochen.</translation>
    </message>
    <message>
        <location filename="../gui/env_tasks.py" line="44"/>
        <source>{}: done.</source>
        <translation>{}: fertig.</translation>
    </message>
    <message>
        <location filename="../gui/cache.py" line="22"/>
        <source>AlphaEarth (GSE) index</source>
        <translation>AlphaEarth-(GSE-)Index</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="123"/>
        <source>Cache</source>
        <translation>Zwischenspeicher</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="114"/>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <location filename="../gui/cache.py" line="23"/>
        <source>Copernicus Embed</source>
        <translation>Copernicus Embed</translation>
    </message>
    <message>
        <location filename="../gui/cache.py" line="24"/>
        <source>Model weights</source>
        <translation>Modellgewichte</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="136"/>
        <source>Not inside the cache folder: never cleared here.</source>
        <translation>Nicht im Zwischenspeicher-Ordner: wird hier nie geleert.</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="141"/>
        <source>Remove the cached files in {}? They are downloaded again when needed.</source>
        <translation>Die zwischengespeicherten Dateien in {} entfernen? Sie werden bei Bedarf erneut heruntergeladen.</translation>
    </message>
    <message>
        <location filename="../gui/cache.py" line="22"/>
        <source>Tessera tiles</source>
        <translation>Tessera-Kacheln</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="132"/>
        <source>{} in {} files</source>
        <translation>{} in {} Dateien</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="80"/>
        <source>Fetch imagery refuses larger areas; embedding checks the output size and the free disk space instead.</source>
        <translation>„Bilder abrufen“ lehnt größere Flächen ab; das Einbetten prüft stattdessen die Ausgabegröße und den freien Speicherplatz.</translation>
    </message>
    <message>
        <location filename="../qgis_common/help.py" line="47"/>
        <source>Choices by id (as qgis_process and scripts take them):</source>
        <translation>Auswahlwerte als IDs (so nehmen qgis_process und Skripte sie an):</translation>
    </message>
    <message>
        <location filename="../qgis_common/help.py" line="44"/>
        <source>as {}</source>
        <translation>wie {}</translation>
    </message>
    <message>
        <location filename="../qgis_common/choice_widget.py" line="32"/>
        <source>[Not selected]</source>
        <translation>[Nicht gewählt]</translation>
    </message>
    <message>
        <location filename="../qgis_common/choices.py" line="48"/>
        <source>Reflectance x 10^4 (Sentinel-2 L2A)</source>
        <translation>Reflektanz x 10^4 (Sentinel-2 L2A)</translation>
    </message>
    <message>
        <location filename="../qgis_common/choices.py" line="49"/>
        <source>Reflectance 0-1</source>
        <translation>Reflektanz 0-1</translation>
    </message>
    <message>
        <location filename="../qgis_common/choices.py" line="50"/>
        <source>8-bit, 0-255 (aerial or photo RGB)</source>
        <translation>8 Bit, 0-255 (Luftbild- oder Foto-RGB)</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="96"/>
        <source>Area: {} km²</source>
        <translation>Fläche: {} km²</translation>
    </message>
    <message>
        <location filename="../processing_provider/apply_model.py" line="26"/>
        <source>Apply model</source>
        <translation>Modell anwenden</translation>
    </message>
    <message>
        <location filename="../processing_provider/apply_model.py" line="29"/>
        <source>Maps embedding rasters with a model saved by &lt;i&gt;Classify embeddings&lt;/i&gt; or &lt;i&gt;Regress embeddings&lt;/i&gt; (.skops). The rasters must be of the same embedding model(s), in the same order, with the same bands as the ones it was trained on: anything else is refused. A model file that names code outside the estimators RS Embed saves is refused (skops, no pickle).&lt;br&gt;Outputs: the class raster and the confidence, or the continuous prediction; predicted block by block.</source>
        <translation>Kartiert Einbettungsraster mit einem von &lt;i&gt;Einbettungen klassifizieren&lt;/i&gt; oder &lt;i&gt;Einbettungen regressieren&lt;/i&gt; gespeicherten Modell (.skops). Die Raster müssen von demselben Einbettungsmodell (denselben Modellen) stammen, in derselben Reihenfolge und mit denselben Bändern wie beim Training: alles andere wird abgelehnt. Eine Modelldatei, die Code außerhalb der von RS Embed gespeicherten Schätzer nennt, wird abgelehnt (skops, kein Pickle).&lt;br&gt;Ausgaben: das Klassenraster und die Konfidenz oder die stetige Vorhersage; blockweise vorhergesagt.</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="127"/>
        <source>Trained model (.skops)</source>
        <translation>Trainiertes Modell (.skops)</translation>
    </message>
    <message>
        <location filename="../processing_provider/apply_model.py" line="38"/>
        <source>Embedding raster(s), as in training</source>
        <translation>Einbettungsraster (wie beim Training)</translation>
    </message>
    <message>
        <location filename="../processing_provider/regress_embeddings.py" line="41"/>
        <source>Prediction</source>
        <translation>Vorhersage</translation>
    </message>
    <message>
        <location filename="../processing_provider/apply_model.py" line="42"/>
        <source>Confidence (classification models)</source>
        <translation>Konfidenz (Klassifikationsmodelle)</translation>
    </message>
    <message>
        <location filename="../processing_provider/apply_model.py" line="44"/>
        <source>Task of the model</source>
        <translation>Aufgabe des Modells</translation>
    </message>
    <message>
        <location filename="../processing_provider/apply_model.py" line="57"/>
        <source>classes</source>
        <translation>Klassen</translation>
    </message>
    <message>
        <location filename="../processing_provider/apply_model.py" line="57"/>
        <source>prediction</source>
        <translation>Vorhersage</translation>
    </message>
    <message>
        <location filename="../processing_provider/apply_model.py" line="64"/>
        <source>confidence</source>
        <translation>Konfidenz</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="24"/>
        <source>Choose at least one embedding raster.</source>
        <translation>Mindestens ein Einbettungsraster wählen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="27"/>
        <source>&apos;{}&apos; must be a raster file read by GDAL (e.g. an embedding GeoTIFF).</source>
        <translation>'{}' muss eine von GDAL lesbare Rasterdatei sein (z. B. ein Einbettungs-GeoTIFF).</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="49"/>
        <source>The {} layer has no field &apos;{}&apos;.</source>
        <translation>Der Layer {} hat kein Feld '{}'.</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="63"/>
        <source>{} {} feature(s) without a geometry or a value in &apos;{}&apos; were skipped.</source>
        <translation>{} {} Objekt(e) ohne Geometrie oder ohne Wert in '{}' wurden übersprungen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="76"/>
        <source>Validation &apos;holdout&apos; needs a held-out layer (HOLDOUT).</source>
        <translation>Die Validierung 'holdout' braucht einen zurückgehaltenen Layer (HOLDOUT).</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="92"/>
        <source>The training layer has no features with a value in &apos;{}&apos;.</source>
        <translation>Der Trainingslayer hat keine Objekte mit einem Wert in '{}'.</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="97"/>
        <source>Embedding raster(s) (several are stacked on the first one&apos;s grid)</source>
        <translation>Einbettungsraster (mehrere werden auf dem Raster des ersten gestapelt)</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="99"/>
        <source>Training points or polygons</source>
        <translation>Trainingspunkte oder -polygone</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="102"/>
        <source>Value field</source>
        <translation>Wertfeld</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="102"/>
        <source>Class field</source>
        <translation>Klassenfeld</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="106"/>
        <source>Validation</source>
        <translation>Validierung</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="107"/>
        <source>Block size for spatial K-fold (map units of the first raster)</source>
        <translation>Blockgröße für räumliches K-Fold (Karteneinheiten des ersten Rasters)</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="110"/>
        <source>Held-out layer (validation &apos;holdout&apos;; same field)</source>
        <translation>Zurückgehaltener Layer (Validierung 'holdout'; dasselbe Feld)</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="114"/>
        <source>Number of folds</source>
        <translation>Anzahl der Folds</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="125"/>
        <source>Report (HTML; CSV and PNG beside it)</source>
        <translation>Bericht (HTML; CSV und PNG daneben)</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="127"/>
        <source>skops model files (*.skops)</source>
        <translation>skops-Modelldateien (*.skops)</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="135"/>
        <source>{} training feature(s) cover no pixel of the raster and were not used.</source>
        <translation>{} Trainingsobjekt(e) decken kein Pixel des Rasters ab und wurden nicht verwendet.</translation>
    </message>
    <message>
        <location filename="../processing_provider/learning_common.py" line="138"/>
        <source>{} labelled pixel(s) without data in the raster(s) were not used.</source>
        <translation>{} beschriftete(s) Pixel ohne Daten im Raster wurden nicht verwendet.</translation>
    </message>
    <message>
        <location filename="../processing_provider/classify_embeddings.py" line="26"/>
        <source>Classify embeddings</source>
        <translation>Einbettungen klassifizieren</translation>
    </message>
    <message>
        <location filename="../processing_provider/classify_embeddings.py" line="29"/>
        <source>Trains a classifier (scikit-learn) on the embedding vectors under labelled points or polygons and maps every pixel.&lt;br&gt;&lt;b&gt;Embedding rasters&lt;/b&gt;: one, or several stacked band-wise (fusion; the others are resampled onto the first one&apos;s grid).&lt;br&gt;&lt;b&gt;Training&lt;/b&gt;: a point takes the pixel it falls in, a polygon the pixels whose centres it holds; &lt;b&gt;Class field&lt;/b&gt; names the classes.&lt;br&gt;&lt;b&gt;Validation&lt;/b&gt;: &lt;i&gt;kfold&lt;/i&gt; (random folds of pixels), &lt;i&gt;spatial_kfold&lt;/i&gt; (pixels grouped in square blocks of &lt;i&gt;Block size&lt;/i&gt; map units, so that neighbouring, alike pixels never fall on both sides: the honest estimate when labels are clustered) or &lt;i&gt;holdout&lt;/i&gt; (a separate layer).&lt;br&gt;Outputs: a class raster (1..K, 0 = no data, palette and class names), the confidence (the winning class&apos;s probability), an HTML/CSV report with accuracy, balanced accuracy and per-class F1 with bootstrap 95 % confidence intervals and a confusion matrix, and the trained model (.skops, loaded without executing code) for &lt;i&gt;Apply model&lt;/i&gt;. The map is predicted block by block in bounded memory.</source>
        <translation>Trainiert einen Klassifikator (scikit-learn) auf den Einbettungsvektoren unter beschrifteten Punkten oder Polygonen und kartiert jedes Pixel.&lt;br&gt;&lt;b&gt;Einbettungsraster&lt;/b&gt;: eines oder mehrere, bandweise gestapelt (Fusion; die weiteren werden auf das Raster des ersten umgetastet).&lt;br&gt;&lt;b&gt;Training&lt;/b&gt;: ein Punkt nimmt das Pixel, in das er fällt, ein Polygon die Pixel, deren Mittelpunkte es enthält; das &lt;b&gt;Klassenfeld&lt;/b&gt; benennt die Klassen.&lt;br&gt;&lt;b&gt;Validierung&lt;/b&gt;: &lt;i&gt;kfold&lt;/i&gt; (zufällige Folds von Pixeln), &lt;i&gt;spatial_kfold&lt;/i&gt; (Pixel in quadratischen Blöcken von &lt;i&gt;Blockgröße&lt;/i&gt; Karteneinheiten gruppiert, sodass benachbarte, ähnliche Pixel nie auf beiden Seiten landen: die ehrliche Schätzung bei gehäuften Beschriftungen) oder &lt;i&gt;holdout&lt;/i&gt; (ein eigener Layer).&lt;br&gt;Ausgaben: ein Klassenraster (1..K, 0 = keine Daten, Palette und Klassennamen), die Konfidenz (die Wahrscheinlichkeit der siegreichen Klasse), ein HTML/CSV-Bericht mit Genauigkeit, balancierter Genauigkeit und F1 je Klasse mit Bootstrap-Konfidenzintervallen (95 %) und einer Konfusionsmatrix sowie das trainierte Modell (.skops, ohne Codeausführung geladen) für &lt;i&gt;Modell anwenden&lt;/i&gt;. Die Karte wird blockweise mit begrenztem Speicher vorhergesagt.</translation>
    </message>
    <message>
        <location filename="../processing_provider/classify_embeddings.py" line="44"/>
        <source>Classifier</source>
        <translation>Klassifikator</translation>
    </message>
    <message>
        <location filename="../processing_provider/classify_embeddings.py" line="45"/>
        <source>Classes</source>
        <translation>Klassen</translation>
    </message>
    <message>
        <location filename="../processing_provider/classify_embeddings.py" line="46"/>
        <source>Confidence</source>
        <translation>Konfidenz</translation>
    </message>
    <message>
        <location filename="../processing_provider/classify_embeddings.py" line="49"/>
        <source>Accuracy (validation)</source>
        <translation>Genauigkeit (Validierung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/classify_embeddings.py" line="50"/>
        <source>Balanced accuracy (validation)</source>
        <translation>Balancierte Genauigkeit (Validierung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/regress_embeddings.py" line="45"/>
        <source>Validation metrics (JSON)</source>
        <translation>Validierungsmaße (JSON)</translation>
    </message>
    <message>
        <location filename="../processing_provider/classify_embeddings.py" line="62"/>
        <source>Validation ({}): accuracy {} [{} – {}], balanced accuracy {} [{} – {}] on {} pixels</source>
        <translation>Validierung ({}): Genauigkeit {} [{} – {}], balancierte Genauigkeit {} [{} – {}] auf {} Pixeln</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="54"/>
        <source>Runs every chosen model on the same extent and time and compares them fairly.&lt;br&gt;A model that cannot run here (missing Python package, no data for the place or year, no credentials) is reported and skipped; the others go on. Each model&apos;s embedding grid and PCA map are written to the output folder and loaded into one layer group named after the models; the PCA maps and the agreement map are switched on, the embedding grids off.&lt;br&gt;&lt;br&gt;&lt;b&gt;Common grid&lt;/b&gt;: every grid is resampled (average) onto one grid: the native grid of the &lt;i&gt;reference model&lt;/i&gt;, or the ROI&apos;s UTM zone at the &lt;i&gt;common resolution&lt;/i&gt; (metres); by default the coarsest native grid among the models.&lt;br&gt;&lt;b&gt;Report&lt;/b&gt; (report.html, report.csv): provenance (run time, plugin version, each model&apos;s source, version and resampling); per model the dimension, native resolution, CRS, coverage and run time; the PCA maps side by side in comparable colours (each model&apos;s components rotated onto the reference model&apos;s, so the same field has the same colour; pca_side_by_side.png); one heatmap of linear CKA (1 = the same geometry up to rotation and scale) and k-nearest-neighbour overlap between every pair of models, with 95 % intervals from repeated samples and a shuffled baseline (similarity_heatmap.png); and &lt;b&gt;where the models disagree&lt;/b&gt;: agreement.tif, per pixel on the common grid, 1 where the models rank the pixel&apos;s neighbours alike, 0 where they do not. The report opens from the Processing results.&lt;br&gt;&lt;b&gt;Labelled mode&lt;/b&gt;: give labelled points or polygons and their class field, and every model (and all of them concatenated) is ranked on your labels: k-NN (k = 1, 3, 5) and a linear probe, balanced accuracy with bootstrap 95 % CIs, under random and spatial-block cross-validation (blocks of the given size, in the first model&apos;s map units): ranking.csv, ranking.png and a section of report.html. It answers which embedding serves your labels here.&lt;br&gt;&lt;b&gt;Backend / imagery source&lt;/b&gt; apply to the models that offer them; the others use auto.&lt;br&gt;&lt;br&gt;Models:</source>
        <translation>Führt jedes gewählte Modell für dieselbe Ausdehnung und Zeit aus und vergleicht sie fair.&lt;br&gt;Ein Modell, das hier nicht laufen kann (fehlendes Python-Paket, keine Daten für Ort oder Jahr, keine Zugangsdaten), wird gemeldet und übersprungen; die anderen laufen weiter. Einbettungsraster und PCA-Karte jedes Modells werden in den Ausgabeordner geschrieben und in eine nach den Modellen benannte Layergruppe geladen; die PCA-Karten und die Übereinstimmungskarte sind eingeschaltet, die Einbettungsraster ausgeschaltet.&lt;br&gt;&lt;br&gt;&lt;b&gt;Gemeinsames Raster&lt;/b&gt;: jedes Raster wird (Mittelwert) auf ein Raster umgetastet: das native Raster des &lt;i&gt;Referenzmodells&lt;/i&gt; oder die UTM-Zone der ROI in der &lt;i&gt;gemeinsamen Auflösung&lt;/i&gt; (Meter); standardmäßig das gröbste native Raster der Modelle.&lt;br&gt;&lt;b&gt;Bericht&lt;/b&gt; (report.html, report.csv): Herkunft (Laufzeit, Plugin-Version, Quelle, Version und Umtastung jedes Modells); je Modell Dimension, native Auflösung, KBS, Abdeckung und Laufzeit; die PCA-Karten nebeneinander in vergleichbaren Farben (die Komponenten jedes Modells werden auf die des Referenzmodells gedreht, sodass dasselbe Feld dieselbe Farbe hat; pca_side_by_side.png); eine Heatmap aus linearem CKA (1 = dieselbe Geometrie bis auf Drehung und Skalierung) und der Überlappung der k nächsten Nachbarn zwischen allen Modellpaaren, mit 95-%-Intervallen aus wiederholten Stichproben und einer Basislinie mit gemischten Pixeln (similarity_heatmap.png); und &lt;b&gt;wo die Modelle sich uneinig sind&lt;/b&gt;: agreement.tif, je Pixel auf dem gemeinsamen Raster, 1 wo die Modelle die Nachbarn des Pixels gleich ordnen, 0 wo nicht. Der Bericht öffnet sich aus den Processing-Ergebnissen.&lt;br&gt;&lt;b&gt;Beschrifteter Modus&lt;/b&gt;: beschriftete Punkte oder Polygone und ihr Klassenfeld angeben, dann wird jedes Modell (und alle zusammen verkettet) an Ihren Beschriftungen gereiht: k-NN (k = 1, 3, 5) und eine lineare Sonde, balancierte Genauigkeit mit Bootstrap-Konfidenzintervallen (95 %), unter zufälliger und räumlicher Block-Kreuzvalidierung (Blöcke der angegebenen Größe in den Karteneinheiten des ersten Modells): ranking.csv, ranking.png und ein Abschnitt in report.html. So zeigt sich, welche Einbettung Ihren Beschriftungen hier am besten dient.&lt;br&gt;&lt;b&gt;Backend / Bildquelle&lt;/b&gt; gelten für die Modelle, die sie anbieten; die anderen verwenden auto.&lt;br&gt;&lt;br&gt;Modelle:</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="94"/>
        <source>Labelled points or polygons (optional: rank the models on them)</source>
        <translation>Beschriftete Punkte oder Polygone (optional: die Modelle daran reihen)</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="97"/>
        <source>Class field of the labels</source>
        <translation>Klassenfeld der Beschriftungen</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="101"/>
        <source>Spatial CV block size (map units; default 16 pixels)</source>
        <translation>Blockgröße der räumlichen Kreuzvalidierung (Karteneinheiten; Standard 16 Pixel)</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="115"/>
        <source>Agreement between the models (0..1)</source>
        <translation>Übereinstimmung der Modelle (0..1)</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="181"/>
        <source>Compare {}: {} ({})</source>
        <translation>Vergleich {}: {} ({})</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="185"/>
        <source>Agreement of the models</source>
        <translation>Übereinstimmung der Modelle</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="145"/>
        <source>Models ranked on the labels: {}</source>
        <translation>An den Beschriftungen gereihte Modelle: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="156"/>
        <source>Choose the class field of the labelled layer.</source>
        <translation>Das Klassenfeld des beschrifteten Layers wählen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="167"/>
        <source>The labelled layer has no feature with a class in &apos;{}&apos;.</source>
        <translation>Der beschriftete Layer hat kein Objekt mit einer Klasse in '{}'.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="137"/>
        <source>Could not write {}: {}</source>
        <translation>{} konnte nicht geschrieben werden: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="173"/>
        <source>Could not write feature {}: {}</source>
        <translation>Objekt {} konnte nicht geschrieben werden: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="55"/>
        <source>Embeds an extent with a remote-sensing foundation model and writes the embedding grid as a georeferenced float32 GeoTIFF (one band per dimension, NaN where there is no data), a PCA pseudocolour RGB layer and, optionally, the pooled vector (mean over covered pixels) as the ROI polygon with one attribute per dimension.&lt;br&gt;&lt;br&gt;&lt;b&gt;Extent&lt;/b&gt;: any CRS; it is transformed to longitude/latitude.&lt;br&gt;&lt;b&gt;Time&lt;/b&gt;: annual products use &lt;i&gt;Year&lt;/i&gt;; give &lt;i&gt;Start date&lt;/i&gt; and &lt;i&gt;End date&lt;/i&gt; (end exclusive) for imagery-based models.&lt;br&gt;&lt;b&gt;Backend&lt;/b&gt; (precomputed products): auto, gee (Earth Engine project needed) or cog (public copy, no account).&lt;br&gt;&lt;b&gt;Imagery source&lt;/b&gt; (on-the-fly models): auto, local (Input raster), stac (no account) or gee. For a local raster, bands are found by Sentinel-2 names in the band descriptions or by colour, else give a &lt;i&gt;band map&lt;/i&gt; (B04=1,B03=2,B02=3); its &lt;i&gt;values&lt;/i&gt; are reflectance x 10^4 (Sentinel-2 L2A), reflectance 0-1, or 8-bit (aerial RGB). A run whose values do not fit says so in the log.&lt;br&gt;&lt;b&gt;Model options&lt;/b&gt; (advanced): name=value pairs separated by &apos;;&apos; for the models that take them:</source>
        <translation>Bettet eine Ausdehnung mit einem Fernerkundungs-Foundation-Modell ein und schreibt das Einbettungsraster als georeferenziertes float32-GeoTIFF (ein Band je Dimension, NaN, wo keine Daten vorliegen), einen PCA-Falschfarben-RGB-Layer und optional den zusammengefassten Vektor (Mittel über die abgedeckten Pixel) als ROI-Polygon mit einem Attribut je Dimension.&lt;br&gt;&lt;br&gt;&lt;b&gt;Ausdehnung&lt;/b&gt;: beliebiges KBS; sie wird in Länge/Breite umgerechnet.&lt;br&gt;&lt;b&gt;Zeit&lt;/b&gt;: jährliche Produkte verwenden &lt;i&gt;Jahr&lt;/i&gt;; für bildbasierte Modelle &lt;i&gt;Startdatum&lt;/i&gt; und &lt;i&gt;Enddatum&lt;/i&gt; (Ende ausschließlich) angeben.&lt;br&gt;&lt;b&gt;Backend&lt;/b&gt; (vorberechnete Produkte): auto, gee (Earth-Engine-Projekt nötig) oder cog (öffentliche Kopie, kein Konto).&lt;br&gt;&lt;b&gt;Bildquelle&lt;/b&gt; (bei Bedarf berechnete Modelle): auto, local (Eingaberaster), stac (kein Konto) oder gee. Bei einem lokalen Raster werden die Bänder über Sentinel-2-Namen in den Bandbeschreibungen oder über ihre Farbe gefunden, sonst eine &lt;i&gt;Bandzuordnung&lt;/i&gt; angeben (B04=1,B03=2,B02=3); seine &lt;i&gt;Werte&lt;/i&gt; sind Reflexion x 10^4 (Sentinel-2 L2A), Reflexion 0-1 oder 8 Bit (Luftbild-RGB). Ein Lauf, dessen Werte nicht dazu passen, meldet das im Protokoll.&lt;br&gt;&lt;b&gt;Modelloptionen&lt;/b&gt; (erweitert): Paare name=Wert, durch ';' getrennt, für die Modelle, die sie annehmen:</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="71"/>
        <source>Models:</source>
        <translation>Modelle:</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="86"/>
        <source>Band map of the input raster (e.g. B04=1,B03=2,B02=3)</source>
        <translation>Bandzuordnung des Eingaberasters (z. B. B04=1,B03=2,B02=3)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="80"/>
        <source>Values of the input raster</source>
        <translation>Werte des Eingaberasters</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="102"/>
        <source>Model options (e.g. frames=3)</source>
        <translation>Modelloptionen (z. B. frames=3)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="85"/>
        <source>Mean cosine distance {}</source>
        <translation>Mittlerer Kosinus-Abstand {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="121"/>
        <source>Grid: {} at {} m, {} x {} pixels; {}% of pixels have data{}</source>
        <translation>Raster: {} mit {} m, {} x {} Pixel; {} % der Pixel haben Daten{}</translation>
    </message>
    <message>
        <location filename="../processing_provider/regress_embeddings.py" line="27"/>
        <source>Regress embeddings</source>
        <translation>Einbettungen regressieren</translation>
    </message>
    <message>
        <location filename="../processing_provider/regress_embeddings.py" line="30"/>
        <source>Trains a regressor (scikit-learn) on the embedding vectors under points or polygons with a numeric &lt;b&gt;Value field&lt;/b&gt; (biomass, canopy height, yield...) and maps every pixel as a float32 raster (NaN = no data).&lt;br&gt;&lt;b&gt;Regressor&lt;/b&gt;: &lt;i&gt;knn&lt;/i&gt;, &lt;i&gt;linear&lt;/i&gt; (ridge, penalty chosen by cross-validation), &lt;i&gt;random_forest&lt;/i&gt; or &lt;i&gt;hist_gradient_boosting&lt;/i&gt;.&lt;br&gt;&lt;b&gt;Validation&lt;/b&gt; as in &lt;i&gt;Classify embeddings&lt;/i&gt; (random, spatial-block or held-out layer).&lt;br&gt;The report gives R², MAE and RMSE with bootstrap 95 % confidence intervals and a predicted-versus-observed plot; the model (.skops) can be applied to other rasters with &lt;i&gt;Apply model&lt;/i&gt;.</source>
        <translation>Trainiert einen Regressor (scikit-learn) auf den Einbettungsvektoren unter Punkten oder Polygonen mit einem numerischen &lt;b&gt;Wertfeld&lt;/b&gt; (Biomasse, Kronenhöhe, Ertrag...) und kartiert jedes Pixel als float32-Raster (NaN = keine Daten).&lt;br&gt;&lt;b&gt;Regressor&lt;/b&gt;: &lt;i&gt;knn&lt;/i&gt;, &lt;i&gt;linear&lt;/i&gt; (Ridge, Strafterm per Kreuzvalidierung gewählt), &lt;i&gt;random_forest&lt;/i&gt; oder &lt;i&gt;hist_gradient_boosting&lt;/i&gt;.&lt;br&gt;&lt;b&gt;Validierung&lt;/b&gt; wie bei &lt;i&gt;Einbettungen klassifizieren&lt;/i&gt; (zufällig, räumliche Blöcke oder zurückgehaltener Layer).&lt;br&gt;Der Bericht gibt R², MAE und RMSE mit Bootstrap-Konfidenzintervallen (95 %) und ein Diagramm vorhergesagt gegen beobachtet an; das Modell (.skops) lässt sich mit &lt;i&gt;Modell anwenden&lt;/i&gt; auf andere Raster anwenden.</translation>
    </message>
    <message>
        <location filename="../processing_provider/regress_embeddings.py" line="40"/>
        <source>Regressor</source>
        <translation>Regressor</translation>
    </message>
    <message>
        <location filename="../processing_provider/regress_embeddings.py" line="43"/>
        <source>R² (validation)</source>
        <translation>R² (Validierung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/regress_embeddings.py" line="44"/>
        <source>RMSE (validation)</source>
        <translation>RMSE (Validierung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/regress_embeddings.py" line="53"/>
        <source>Validation ({}): R² {} [{} – {}], RMSE {}, MAE {} on {} pixels</source>
        <translation>Validierung ({}): R² {} [{} – {}], RMSE {}, MAE {} auf {} Pixeln</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="98"/>
        <source>{} reference vectors; mean similarity {}</source>
        <translation>{} Referenzvektoren; mittlere Ähnlichkeit {}</translation>
    </message>
    <message>
        <location filename="../qgis_common/choices.py" line="57"/>
        <source>Automatic (Earth Engine when a project is set, else the public copy)</source>
        <translation>Automatisch (Earth Engine, wenn ein Projekt eingestellt ist, sonst die öffentliche Kopie)</translation>
    </message>
    <message>
        <location filename="../qgis_common/choices.py" line="70"/>
        <source>Google Earth Engine (project needed)</source>
        <translation>Google Earth Engine (Projekt nötig)</translation>
    </message>
    <message>
        <location filename="../qgis_common/choices.py" line="59"/>
        <source>Public COG copy (no account)</source>
        <translation>Öffentliche COG-Kopie (kein Konto)</translation>
    </message>
    <message>
        <location filename="../qgis_common/choices.py" line="66"/>
        <source>Automatic (local raster if given, else Earth Engine when a project is set, else STAC)</source>
        <translation>Automatisch (das lokale Raster, falls angegeben, sonst Earth Engine, wenn ein Projekt eingestellt ist, sonst STAC)</translation>
    </message>
    <message>
        <location filename="../qgis_common/choices.py" line="69"/>
        <source>STAC: Earth Search / Planetary Computer (no account)</source>
        <translation>STAC: Earth Search / Planetary Computer (kein Konto)</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="136"/>
        <source>The extent is not on Earth: in EPSG:4326 it spans lon {} .. {}, lat {} .. {}; check the extent&apos;s CRS ({}).</source>
        <translation>Die Ausdehnung liegt nicht auf der Erde: in EPSG:4326 reicht sie von Länge {} .. {}, Breite {} .. {}; das KBS der Ausdehnung prüfen ({}).</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="173"/>
        <source>The extent crosses the antimeridian (180° longitude): RS Embed cannot yet embed an area across it. Split the extent into two, one on each side of 180°, and run each.</source>
        <translation>Die Ausdehnung überquert den Antimeridian (180° Länge): RS Embed kann ein Gebiet darüber hinweg noch nicht einbetten. Die Ausdehnung in zwei teilen, je eine auf jeder Seite von 180°, und jede einzeln ausführen.</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="185"/>
        <source>North</source>
        <translation>Nord</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="185"/>
        <source>South</source>
        <translation>Süd</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="191"/>
        <source>The extent contains the {} Pole: every longitude meets there, so it has no lon/lat box. RS Embed cannot embed an area around a pole; draw an extent beside it.</source>
        <translation>Die Ausdehnung enthält den {}pol: dort treffen sich alle Längengrade, daher hat sie kein Länge/Breite-Rechteck. RS Embed kann kein Gebiet um einen Pol einbetten; eine Ausdehnung daneben zeichnen.</translation>
    </message>
    <message>
        <location filename="../qgis_common/params.py" line="269"/>
        <source>Run metadata:</source>
        <translation>Metadaten des Laufs:</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="2"/>
        <source>Tessera v1.1: precomputed, 128-d, 10 m</source>
        <translation>Tessera v1.1: vorberechnet, 128-d, 10 m</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="3"/>
        <source>Google Satellite Embedding (AlphaEarth): precomputed, 64-d, 10 m</source>
        <translation>Google Satellite Embedding (AlphaEarth): vorberechnet, 64-d, 10 m</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="4"/>
        <source>Copernicus Embed: precomputed, 768-d, 0.25°, 2021</source>
        <translation>Copernicus Embed: vorberechnet, 768-d, 0,25°, 2021</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="5"/>
        <source>RemoteCLIP ViT-B/32: Sentinel-2 RGB, 512-d</source>
        <translation>RemoteCLIP ViT-B/32: Sentinel-2-RGB, 512-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="6"/>
        <source>SatMAE ViT-L/16: Sentinel-2 RGB, 1024-d</source>
        <translation>SatMAE ViT-L/16: Sentinel-2-RGB, 1024-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="7"/>
        <source>Scale-MAE ViT-L/16: Sentinel-2 RGB, 1024-d</source>
        <translation>Scale-MAE ViT-L/16: Sentinel-2-RGB, 1024-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="8"/>
        <source>Prithvi-EO 2.0 300M: 6 Sentinel-2 bands, 1024-d</source>
        <translation>Prithvi-EO 2.0 300M: 6 Sentinel-2-Bänder, 1024-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="9"/>
        <source>Prithvi-EO 2.0 300M-TL: 6 bands + time/location, 1024-d</source>
        <translation>Prithvi-EO 2.0 300M-TL: 6 Bänder + Zeit/Ort, 1024-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="10"/>
        <source>DOFA ViT-B/16: 9 Sentinel-2 bands, 768-d</source>
        <translation>DOFA ViT-B/16: 9 Sentinel-2-Bänder, 768-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="11"/>
        <source>DOFA ViT-L/16: 9 Sentinel-2 bands, 1024-d</source>
        <translation>DOFA ViT-L/16: 9 Sentinel-2-Bänder, 1024-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="12"/>
        <source>TerraFM-B: 12 Sentinel-2 bands, 768-d</source>
        <translation>TerraFM-B: 12 Sentinel-2-Bänder, 768-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="13"/>
        <source>SatMAE++ ViT-L/8: 10 Sentinel-2 bands, 1024-d</source>
        <translation>SatMAE++ ViT-L/8: 10 Sentinel-2-Bänder, 1024-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="14"/>
        <source>OlmoEarth v1 Base: 12 Sentinel-2 bands, 768-d</source>
        <translation>OlmoEarth v1 Base: 12 Sentinel-2-Bänder, 768-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="15"/>
        <source>THOR 1.0 Base: 10 Sentinel-2 bands (10 m + 20 m groups), 768-d</source>
        <translation>THOR 1.0 Base: 10 Sentinel-2-Bänder (Gruppen 10 m + 20 m), 768-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="16"/>
        <source>Galileo nano: 10 Sentinel-2 bands, 128-d</source>
        <translation>Galileo nano: 10 Sentinel-2-Bänder, 128-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="17"/>
        <source>FoMo-Net_1 ViT-B/16: 10 Sentinel-2 bands, 768-d</source>
        <translation>FoMo-Net_1 ViT-B/16: 10 Sentinel-2-Bänder, 768-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="18"/>
        <source>AgriFM video Swin-B: Sentinel-2 time series (10 bands), 1024-d</source>
        <translation>AgriFM Video-Swin-B: Sentinel-2-Zeitreihe (10 Bänder), 1024-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="19"/>
        <source>WildSAT ViT-B/16: Sentinel-2 RGB, 1000-d</source>
        <translation>WildSAT ViT-B/16: Sentinel-2-RGB, 1000-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="20"/>
        <source>Clay v1.5 ViT-L/8: 10 Sentinel-2 bands, 1024-d</source>
        <translation>Clay v1.5 ViT-L/8: 10 Sentinel-2-Bänder, 1024-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="21"/>
        <source>AnySat Base: 10 Sentinel-2 bands, 40 m patches, 768-d</source>
        <translation>AnySat Base: 10 Sentinel-2-Bänder, 40-m-Patches, 768-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="22"/>
        <source>TerraMind 1.0 base: 12 Sentinel-2 L2A bands, 768-d</source>
        <translation>TerraMind 1.0 base: 12 Sentinel-2-L2A-Bänder, 768-d</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="24"/>
        <source>TerraFM patch embedding: s2_l1c (the authors&apos; default) or s2_l2a</source>
        <translation>TerraFM-Patch-Einbettung: s2_l1c (Voreinstellung der Autoren) oder s2_l2a</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="25"/>
        <source>TerraFM pooled vector: cls (the authors&apos; normed class token) or patch_mean</source>
        <translation>Zusammengefasster TerraFM-Vektor: cls (das normierte Klassen-Token der Autoren) oder patch_mean</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="26"/>
        <source>Tessera: base URL of the tiles (a mirror)</source>
        <translation>Tessera: Basis-URL der Kacheln (ein Spiegel)</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="27"/>
        <source>Tessera: base URL of the landmask tiles</source>
        <translation>Tessera: Basis-URL der Landmasken-Kacheln</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="28"/>
        <source>Tessera: a local folder with manifest.parquet and landmasks.parquet</source>
        <translation>Tessera: ein lokaler Ordner mit manifest.parquet und landmasks.parquet</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="29"/>
        <source>Tessera: a local folder for the downloaded tiles</source>
        <translation>Tessera: ein lokaler Ordner für die heruntergeladenen Kacheln</translation>
    </message>
    <message>
        <location filename="../.build/catalog_strings.py" line="23"/>
        <source>number of frames T, Prithvi 1-8, Galileo 1-12, AgriFM 1-32 (default 8), AnySat 1-8; the time window is split into T equal parts, one composite each</source>
        <translation>Anzahl der Zeitschritte T, Prithvi 1-8, Galileo 1-12, AgriFM 1-32 (Standard 8), AnySat 1-8; das Zeitfenster wird in T gleiche Teile geteilt, je ein Komposit</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="45"/>
        <source>Writes the Sentinel-2 composite that on-the-fly models see for an extent and a time window, so you can inspect it before embedding: a float32 GeoTIFF of surface reflectance x 10000 (NaN = no data or masked), one band per requested band, on the extent&apos;s local UTM zone at &lt;i&gt;Pixel size&lt;/i&gt; metres, shown as true colour (B04/B03/B02, stretch 0-3000).&lt;br&gt;&lt;br&gt;&lt;b&gt;Time&lt;/b&gt;: &lt;i&gt;Start date&lt;/i&gt; and &lt;i&gt;End date&lt;/i&gt; (end exclusive), or a &lt;i&gt;Year&lt;/i&gt;.&lt;br&gt;&lt;b&gt;Imagery source&lt;/b&gt;: &lt;i&gt;local&lt;/i&gt; reads the &lt;i&gt;Input raster&lt;/i&gt; (any CRS; bands by Sentinel-2 names in the band descriptions, by red/green/blue colour, or the &lt;i&gt;Band mapping&lt;/i&gt;, e.g. B04=3,B03=2,B02=1); &lt;i&gt;stac&lt;/i&gt; reads Sentinel-2 L2A from a STAC API (Earth Search by default, no account); &lt;i&gt;gee&lt;/i&gt; reads COPERNICUS/S2_SR_HARMONIZED from Earth Engine (project in the settings); &lt;i&gt;auto&lt;/i&gt; picks local when a raster is given, else gee when a project is set, else stac.&lt;br&gt;&lt;b&gt;Values of the input raster&lt;/b&gt;: reflectance x 10^4 (Sentinel-2 L2A), reflectance 0-1 or 8-bit (aerial RGB); a run whose values do not fit says so in the log.&lt;br&gt;&lt;b&gt;Clouds&lt;/b&gt;: scenes above &lt;i&gt;Maximum scene cloud cover&lt;/i&gt; are skipped; with &lt;i&gt;Mask clouds&lt;/i&gt; cloud, cloud shadow, cirrus and defective pixels are masked (SCL on STAC, Cloud Score+ on Earth Engine).&lt;br&gt;&lt;b&gt;Composite&lt;/b&gt;: &lt;i&gt;median&lt;/i&gt; of the valid pixels, or &lt;i&gt;mosaic&lt;/i&gt; (least cloudy scene first). The +1000 offset of newer Sentinel-2 processing is removed.&lt;br&gt;&lt;b&gt;Bands&lt;/b&gt;: RGB, RGBN, all S2, or names such as B04,B03,B02,B08.&lt;br&gt;Fetched composites are cached, so embedding the same area afterwards reads no imagery again.</source>
        <translation>Schreibt das Sentinel-2-Komposit, das bei Bedarf berechnete Modelle für eine Ausdehnung und ein Zeitfenster sehen, damit es vor dem Einbetten geprüft werden kann: ein float32-GeoTIFF der Oberflächenreflexion x 10000 (NaN = keine Daten oder maskiert), ein Band je angefordertem Band, in der lokalen UTM-Zone der Ausdehnung mit &lt;i&gt;Pixelgröße&lt;/i&gt; Metern, dargestellt in Echtfarben (B04/B03/B02, Streckung 0-3000).&lt;br&gt;&lt;br&gt;&lt;b&gt;Zeit&lt;/b&gt;: &lt;i&gt;Startdatum&lt;/i&gt; und &lt;i&gt;Enddatum&lt;/i&gt; (Ende ausschließlich) oder ein &lt;i&gt;Jahr&lt;/i&gt;.&lt;br&gt;&lt;b&gt;Bildquelle&lt;/b&gt;: &lt;i&gt;local&lt;/i&gt; liest das &lt;i&gt;Eingaberaster&lt;/i&gt; (beliebiges KBS; Bänder über Sentinel-2-Namen in den Bandbeschreibungen, über die Farben Rot/Grün/Blau oder die &lt;i&gt;Bandzuordnung&lt;/i&gt;, z. B. B04=3,B03=2,B02=1); &lt;i&gt;stac&lt;/i&gt; liest Sentinel-2 L2A aus einer STAC-API (standardmäßig Earth Search, kein Konto); &lt;i&gt;gee&lt;/i&gt; liest COPERNICUS/S2_SR_HARMONIZED aus Earth Engine (Projekt in den Einstellungen); &lt;i&gt;auto&lt;/i&gt; wählt local, wenn ein Raster angegeben ist, sonst gee, wenn ein Projekt eingestellt ist, sonst stac.&lt;br&gt;&lt;b&gt;Werte des Eingaberasters&lt;/b&gt;: Reflexion x 10^4 (Sentinel-2 L2A), Reflexion 0-1 oder 8 Bit (Luftbild-RGB); ein Lauf, dessen Werte nicht dazu passen, meldet das im Protokoll.&lt;br&gt;&lt;b&gt;Wolken&lt;/b&gt;: Szenen über der &lt;i&gt;maximalen Wolkenbedeckung der Szene&lt;/i&gt; werden übersprungen; mit &lt;i&gt;Wolken maskieren&lt;/i&gt; werden Wolken, Wolkenschatten, Zirren und fehlerhafte Pixel maskiert (SCL bei STAC, Cloud Score+ bei Earth Engine).&lt;br&gt;&lt;b&gt;Komposit&lt;/b&gt;: &lt;i&gt;median&lt;/i&gt; der gültigen Pixel oder &lt;i&gt;mosaic&lt;/i&gt; (wolkenärmste Szene zuerst). Der Versatz von +1000 neuerer Sentinel-2-Prozessierungen wird entfernt.&lt;br&gt;&lt;b&gt;Bänder&lt;/b&gt;: RGB, RGBN, alle S2 oder Namen wie B04,B03,B02,B08.&lt;br&gt;Abgerufene Komposite werden zwischengespeichert, sodass beim späteren Einbetten desselben Gebiets keine Bilder erneut gelesen werden.</translation>
    </message>
</context>
</TS>
