<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>@default</name>
    <message>
        <location filename="../gui/actions.py" line="31"/>
        <source>Embed drawn extent</source>
        <translation>Gezeichnete Ausdehnung einbetten</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="32"/>
        <source>Drag a rectangle on the map and embed it with foundation models</source>
        <translation>Ein Rechteck auf der Karte aufziehen und mit Foundation-Modellen einbetten</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="35"/>
        <source>Check environment...</source>
        <translation>Umgebung prüfen...</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="37"/>
        <source>Settings...</source>
        <translation>Einstellungen...</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="197"/>
        <source>RS Embed</source>
        <translation>RS Embed</translation>
    </message>
    <message>
        <location filename="../gui/actions.py" line="98"/>
        <source>lon/lat</source>
        <translation>Länge/Breite</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="37"/>
        <source>precomputed</source>
        <translation>vorberechnet</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="37"/>
        <source>on the fly</source>
        <translation>bei Bedarf berechnet</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="41"/>
        <source>[needs {}]</source>
        <translation>[benötigt {}]</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="42"/>
        <source>Missing Python packages: {}. See Check environment.</source>
        <translation>Fehlende Python-Pakete: {}. Siehe „Umgebung prüfen“.</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="53"/>
        <source>RS Embed: embed drawn extent</source>
        <translation>RS Embed: gezeichnete Ausdehnung einbetten</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="58"/>
        <source>Area: {:,.2f} km²</source>
        <translation>Fläche: {:,.2f} km²</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="86"/>
        <source>Extent</source>
        <translation>Ausdehnung</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="61"/>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="75"/>
        <source>Year (annual products)</source>
        <translation>Jahr (jährliche Produkte)</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="76"/>
        <source>Date range (imagery models)</source>
        <translation>Zeitraum (bildbasierte Modelle)</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="87"/>
        <source>to (exclusive)</source>
        <translation>bis (ausschließlich)</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="90"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="91"/>
        <source>Year</source>
        <translation>Jahr</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="92"/>
        <source>Dates</source>
        <translation>Daten</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="96"/>
        <source>Precomputed products: auto, gee (Earth Engine project needed) or cog (public copy, no account).</source>
        <translation>Vorberechnete Produkte: auto, gee (Earth-Engine-Projekt nötig) oder cog (öffentliche Kopie, kein Konto).</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="98"/>
        <source>Product backend</source>
        <translation>Produkt-Backend</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="101"/>
        <source>On-the-fly models: auto, stac (no account), gee, or local (a raster layer of this project).</source>
        <translation>Bei Bedarf berechnete Modelle: auto, stac (kein Konto), gee oder local (ein Rasterlayer dieses Projekts).</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="90"/>
        <source>Imagery source</source>
        <translation>Bildquelle</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="140"/>
        <source>Band map</source>
        <translation>Bandzuordnung</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="140"/>
        <source>8-bit (0-255)</source>
        <translation>8 Bit (0-255)</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="140"/>
        <source>by band names, e.g. B04=1,B03=2,B02=3</source>
        <translation>nach Bandnamen, z. B. B04=1,B03=2,B02=3</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="140"/>
        <source>Values of the raster</source>
        <translation>Werte des Rasters</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="107"/>
        <source>Local raster</source>
        <translation>Lokales Raster</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="81"/>
        <source>Output folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="117"/>
        <source>Run</source>
        <translation>Starten</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="176"/>
        <source>Tick at least one model.</source>
        <translation>Mindestens ein Modell ankreuzen.</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="179"/>
        <source>The extent covers {:,.0f} km², more than the limit of {:,.0f} km²: draw a smaller one or raise the limit in Settings &gt; Options &gt; RS Embed.</source>
        <translation>Die Ausdehnung umfasst {:,.0f} km², mehr als die Grenze von {:,.0f} km²: eine kleinere zeichnen oder die Grenze unter Einstellungen &gt; Optionen &gt; RS Embed erhöhen.</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="184"/>
        <source>Choose an output folder.</source>
        <translation>Einen Ausgabeordner wählen.</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="188"/>
        <source>The output folder cannot be created: {}</source>
        <translation>Der Ausgabeordner kann nicht angelegt werden: {}</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="196"/>
        <source>The start date must come before the end date (the end is exclusive).</source>
        <translation>Das Startdatum muss vor dem Enddatum liegen (das Ende ist ausschließlich).</translation>
    </message>
    <message>
        <location filename="../gui/dialog.py" line="200"/>
        <source>The &apos;local&apos; imagery source needs a raster layer.</source>
        <translation>Die Bildquelle „local“ braucht einen Rasterlayer.</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="46"/>
        <source>RS Embed: check environment</source>
        <translation>RS Embed: Umgebung prüfen</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="27"/>
        <source>Copy install commands</source>
        <translation>Installationsbefehle kopieren</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="30"/>
        <source>Check again</source>
        <translation>Erneut prüfen</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="44"/>
        <source>Checking packages (importing each)...</source>
        <translation>Pakete werden geprüft (jedes wird importiert)...</translation>
    </message>
    <message>
        <location filename="../gui/env_dialog.py" line="54"/>
        <source>The check failed</source>
        <translation>Die Prüfung ist fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="128"/>
        <source>{} PCA</source>
        <translation>{} PCA</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="128"/>
        <source>{} embedding</source>
        <translation>{} Einbettung</translation>
    </message>
    <message>
        <location filename="../gui/layers.py" line="28"/>
        <source>Could not load {}: the file is not a readable raster.</source>
        <translation>{} konnte nicht geladen werden: die Datei ist kein lesbares Raster.</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="21"/>
        <source>Empty fields use the RS_EMBED_* environment variable or the default. Processing algorithms, qgis_process and the drawn-extent action all use these values.</source>
        <translation>Leere Felder verwenden die Umgebungsvariable RS_EMBED_* oder den Standardwert. Processing-Algorithmen, qgis_process und die Aktion „Gezeichnete Ausdehnung einbetten“ verwenden alle diese Werte.</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="33"/>
        <source>default: RS_EMBED_CACHE_DIR or ~/.cache/rs_embed</source>
        <translation>Standard: RS_EMBED_CACHE_DIR oder ~/.cache/rs_embed</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="34"/>
        <source>default: &lt;cache folder&gt;/weights</source>
        <translation>Standard: &lt;Cache-Ordner&gt;/weights</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="36"/>
        <source>none: Earth Engine routes are not used</source>
        <translation>keins: Earth-Engine-Wege werden nicht verwendet</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="40"/>
        <source>default (auto)</source>
        <translation>Standard (auto)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="45"/>
        <source>default (8)</source>
        <translation>Standard (8)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="50"/>
        <source>default (2500 km²)</source>
        <translation>Standard (2500 km²)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="53"/>
        <source>GeoTIFF (*.tif *.tiff)</source>
        <translation>GeoTIFF (*.tif *.tiff)</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="54"/>
        <source>default: &lt;cache folder&gt;/copernicus_embed/embed_map_310k.tif</source>
        <translation>Standard: &lt;Cache-Ordner&gt;/copernicus_embed/embed_map_310k.tif</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="57"/>
        <source>Cache folder</source>
        <translation>Cache-Ordner</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="58"/>
        <source>Weights folder</source>
        <translation>Ordner für Modellgewichte</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="59"/>
        <source>Earth Engine project</source>
        <translation>Earth-Engine-Projekt</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="60"/>
        <source>STAC endpoint</source>
        <translation>STAC-Endpunkt</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="109"/>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="62"/>
        <source>Batch size</source>
        <translation>Batchgröße</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="63"/>
        <source>Maximum ROI size</source>
        <translation>Maximale ROI-Größe</translation>
    </message>
    <message>
        <location filename="../gui/options.py" line="64"/>
        <source>Copernicus Embed file</source>
        <translation>Copernicus-Embed-Datei</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="89"/>
        <source>RS Embed: {} for {}</source>
        <translation>RS Embed: {} für {}</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="123"/>
        <source>Install the package, restart QGIS, and see Plugins &gt; RS Embed &gt; Check environment.</source>
        <translation>Das Paket installieren, QGIS neu starten und unter Erweiterungen &gt; RS Embed &gt; Umgebung prüfen nachsehen.</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="129"/>
        <source>See the RS Embed tab of the Log Messages panel for details.</source>
        <translation>Einzelheiten im Reiter „RS Embed“ des Protokollmeldungen-Bedienfelds.</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="177"/>
        <source>Cancelled: no files were left behind.</source>
        <translation>Abgebrochen: es wurden keine Dateien zurückgelassen.</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="182"/>
        <source>RS Embed: {} failed</source>
        <translation>RS Embed: {} fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="184"/>
        <source>Nothing was produced.</source>
        <translation>Es wurde nichts erzeugt.</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="190"/>
        <source>RS Embed {} {} ({})</source>
        <translation>RS Embed {} {} ({})</translation>
    </message>
    <message>
        <location filename="../gui/task.py" line="197"/>
        <source>Loaded {} layer(s) into the group &apos;{}&apos;.</source>
        <translation>{} Layer in die Gruppe „{}“ geladen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="22"/>
        <source>Analysis</source>
        <translation>Analyse</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="32"/>
        <source>Memory per block (MB): larger is faster, smaller uses less RAM</source>
        <translation>Speicher je Block (MB): größer ist schneller, kleiner braucht weniger RAM</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="43"/>
        <source>Choose an embedding raster for &apos;{}&apos;.</source>
        <translation>Ein Einbettungsraster für „{}“ wählen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/analysis_common.py" line="46"/>
        <source>&apos;{}&apos; must be a raster file read by GDAL (e.g. an embedding GeoTIFF), not a &apos;{}&apos; layer.</source>
        <translation>„{}“ muss eine von GDAL lesbare Rasterdatei sein (z. B. ein Einbettungs-GeoTIFF), kein Layer vom Typ „{}“.</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="19"/>
        <source>Core</source>
        <translation>Kern</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="19"/>
        <source>every model: GeoTIFF and PCA outputs, reprojection</source>
        <translation>jedes Modell: GeoTIFF- und PCA-Ausgaben, Umprojektion</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="20"/>
        <source>Tessera (precomputed)</source>
        <translation>Tessera (vorberechnet)</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="20"/>
        <source>tessera embeddings via geotessera</source>
        <translation>Tessera-Einbettungen über geotessera</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="21"/>
        <source>Google Satellite Embedding, public COG copy</source>
        <translation>Google Satellite Embedding, öffentliche COG-Kopie</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="21"/>
        <source>gse_annual with backend cog</source>
        <translation>gse_annual mit Backend cog</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="22"/>
        <source>Earth Engine</source>
        <translation>Earth Engine</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="22"/>
        <source>gse_annual with backend gee, Sentinel-2 imagery from gee</source>
        <translation>gse_annual mit Backend gee, Sentinel-2-Bilder aus gee</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="24"/>
        <source>Copernicus Embed (precomputed)</source>
        <translation>Copernicus Embed (vorberechnet)</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="24"/>
        <source>copernicus_embed download and windowed reads</source>
        <translation>copernicus_embed: Download und Lesen in Ausschnitten</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="26"/>
        <source>Sentinel-2 imagery from STAC</source>
        <translation>Sentinel-2-Bilder aus STAC</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="26"/>
        <source>imagery source stac (Earth Search, Planetary Computer)</source>
        <translation>Bildquelle stac (Earth Search, Planetary Computer)</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="28"/>
        <source>On-the-fly models</source>
        <translation>Bei Bedarf berechnete Modelle</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="28"/>
        <source>RemoteCLIP, SatMAE, ScaleMAE, Prithvi, DOFA, TerraFM</source>
        <translation>RemoteCLIP, SatMAE, ScaleMAE, Prithvi, DOFA, TerraFM</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="30"/>
        <source>Analysis tools</source>
        <translation>Analysewerkzeuge</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="30"/>
        <source>cluster embeddings (k-means), compare models</source>
        <translation>Einbettungen clustern (k-Means), Modelle vergleichen</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="37"/>
        <source>broken</source>
        <translation>defekt</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="45"/>
        <source>missing</source>
        <translation>fehlt</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="44"/>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="44"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="44"/>
        <source>Packages</source>
        <translation>Pakete</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="93"/>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="50"/>
        <source>nothing extra</source>
        <translation>nichts weiter</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="61"/>
        <source>virtual environment</source>
        <translation>virtuelle Umgebung</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="63"/>
        <source>RS Embed environment</source>
        <translation>RS-Embed-Umgebung</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="64"/>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="70"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="72"/>
        <source>Install everything missing</source>
        <translation>Alles Fehlende installieren</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="75"/>
        <source>Every model family has what it needs.</source>
        <translation>Jede Modellfamilie hat, was sie braucht.</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="78"/>
        <source>Settings in effect</source>
        <translation>Geltende Einstellungen</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="83"/>
        <source>Run these commands in a terminal (on Windows: the OSGeo4W Shell), then restart QGIS. They install into the Python that this QGIS runs and keep its numpy.</source>
        <translation>Diese Befehle in einem Terminal ausführen (unter Windows: in der OSGeo4W Shell) und dann QGIS neu starten. Sie installieren in das Python, mit dem dieses QGIS läuft, und behalten dessen numpy bei.</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="93"/>
        <source>missing {}</source>
        <translation>fehlt: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="95"/>
        <source>GPU: {}</source>
        <translation>GPU: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="107"/>
        <source>Check environment</source>
        <translation>Umgebung prüfen</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="110"/>
        <source>Tools</source>
        <translation>Werkzeuge</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="122"/>
        <source>Reports, for each model family, which Python packages are present (with versions) and which are missing, the exact command that installs them into the Python this QGIS runs, and whether torch sees a GPU (CUDA or Apple MPS) or runs on the CPU.&lt;br&gt;&lt;br&gt;&lt;b&gt;Import every package&lt;/b&gt; also imports each present package to catch broken installs (slower: a few seconds).</source>
        <translation>Meldet für jede Modellfamilie, welche Python-Pakete vorhanden sind (mit Versionen) und welche fehlen, den genauen Befehl, der sie in das Python dieses QGIS installiert, und ob torch eine GPU sieht (CUDA oder Apple MPS) oder auf der CPU rechnet.&lt;br&gt;&lt;br&gt;&lt;b&gt;Jedes Paket importieren&lt;/b&gt; importiert zusätzlich jedes vorhandene Paket, um defekte Installationen zu finden (langsamer: einige Sekunden).</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="130"/>
        <source>Import every package (catches broken installs)</source>
        <translation>Jedes Paket importieren (findet defekte Installationen)</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="132"/>
        <source>Environment report</source>
        <translation>Umgebungsbericht</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="132"/>
        <source>HTML files (*.html)</source>
        <translation>HTML-Dateien (*.html)</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="135"/>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="136"/>
        <source>Missing packages (pip requirements)</source>
        <translation>Fehlende Pakete (pip-Anforderungen)</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="137"/>
        <source>Install commands</source>
        <translation>Installationsbefehle</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="138"/>
        <source>Number of missing packages</source>
        <translation>Anzahl fehlender Pakete</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="145"/>
        <source>Checking packages{}...</source>
        <translation>Pakete werden geprüft{}...</translation>
    </message>
    <message>
        <location filename="../processing_provider/check_environment.py" line="145"/>
        <source> (importing each)</source>
        <translation> (jedes wird importiert)</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="26"/>
        <source>Cluster embeddings (k-means)</source>
        <translation>Einbettungen clustern (k-Means)</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="29"/>
        <source>Groups the pixels of an embedding raster into K clusters with k-means (k-means++ start, Lloyd iterations, best of 3 starts) fitted on a uniform random sample of valid pixels, then assigns every pixel to its nearest centre block by block.&lt;br&gt;Output: a uint8 GeoTIFF with clusters 1..K (1 = the largest cluster in the sample) and 0 where there is no data, with a colour table; loaded with a paletted renderer.&lt;br&gt;&lt;b&gt;Seed&lt;/b&gt; makes runs repeatable; a larger &lt;b&gt;sample size&lt;/b&gt; fits the centres more precisely at the cost of time and memory (sample size x bands x 4 bytes).</source>
        <translation>Gruppiert die Pixel eines Einbettungsrasters mit k-Means in K Cluster (k-means++-Start, Lloyd-Iterationen, bester von 3 Starts), angepasst an eine gleichmäßige Zufallsstichprobe gültiger Pixel, und ordnet dann Block für Block jedes Pixel dem nächsten Zentrum zu.&lt;br&gt;Ausgabe: ein uint8-GeoTIFF mit den Clustern 1..K (1 = der größte Cluster der Stichprobe) und 0, wo keine Daten vorliegen, mit Farbtabelle; geladen mit einem Paletten-Renderer.&lt;br&gt;&lt;b&gt;Startwert&lt;/b&gt; macht Läufe wiederholbar; eine größere &lt;b&gt;Stichprobe&lt;/b&gt; passt die Zentren genauer an, kostet aber Zeit und Speicher (Stichprobengröße x Bänder x 4 Byte).</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="63"/>
        <source>Embedding raster</source>
        <translation>Einbettungsraster</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="40"/>
        <source>Number of clusters (K)</source>
        <translation>Anzahl der Cluster (K)</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="43"/>
        <source>Random seed</source>
        <translation>Zufallsstartwert</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="45"/>
        <source>Pixels sampled to fit the centres</source>
        <translation>Pixel in der Stichprobe zum Anpassen der Zentren</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="52"/>
        <source>Clusters</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="53"/>
        <source>Inertia (sum of squared distances, sample)</source>
        <translation>Trägheit (Summe der quadrierten Abstände, Stichprobe)</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="54"/>
        <source>Pixels per cluster (JSON list)</source>
        <translation>Pixel je Cluster (JSON-Liste)</translation>
    </message>
    <message>
        <location filename="../processing_provider/cluster_embeddings.py" line="67"/>
        <source>Pixels per cluster: {}</source>
        <translation>Pixel je Cluster: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="33"/>
        <source>Compare models</source>
        <translation>Modelle vergleichen</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="52"/>
        <source>Embeddings</source>
        <translation>Einbettungen</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="42"/>
        <source>Runs every chosen model on the same extent and time and compares them fairly.&lt;br&gt;A model that cannot run here (missing Python package, no data for the place or year, no credentials) is reported and skipped; the others go on. Each model&apos;s embedding grid and PCA map are written to the output folder and loaded into one layer group.&lt;br&gt;&lt;br&gt;&lt;b&gt;Common grid&lt;/b&gt;: every grid is resampled (average) onto one grid: the native grid of the &lt;i&gt;reference model&lt;/i&gt;, or the ROI&apos;s UTM zone at the &lt;i&gt;common resolution&lt;/i&gt; (metres); by default the coarsest native grid among the models.&lt;br&gt;&lt;b&gt;Report&lt;/b&gt; (report.html, report.csv): per model the dimension, native resolution, CRS, coverage and run time; between models linear CKA on the pixels valid in all (1 = the same geometry up to rotation and scale; works across dimensions) and the agreement of the k-nearest-neighbour sets of those pixels (mean Jaccard index and overlap); and the PCA maps side by side (pca_side_by_side.png). The report opens from the Processing results.&lt;br&gt;&lt;b&gt;Backend / imagery source&lt;/b&gt; apply to the models that offer them; the others use auto.&lt;br&gt;&lt;br&gt;Models:</source>
        <translation>Führt jedes gewählte Modell für dieselbe Ausdehnung und Zeit aus und vergleicht sie fair.&lt;br&gt;Ein Modell, das hier nicht laufen kann (fehlendes Python-Paket, keine Daten für Ort oder Jahr, keine Zugangsdaten), wird gemeldet und übersprungen; die anderen laufen weiter. Einbettungsraster und PCA-Karte jedes Modells werden in den Ausgabeordner geschrieben und in eine Layergruppe geladen.&lt;br&gt;&lt;br&gt;&lt;b&gt;Gemeinsames Raster&lt;/b&gt;: jedes Raster wird (Mittelwert) auf ein Raster umgetastet: das native Raster des &lt;i&gt;Referenzmodells&lt;/i&gt; oder die UTM-Zone der ROI in der &lt;i&gt;gemeinsamen Auflösung&lt;/i&gt; (Meter); standardmäßig das gröbste native Raster der Modelle.&lt;br&gt;&lt;b&gt;Bericht&lt;/b&gt; (report.html, report.csv): je Modell Dimension, native Auflösung, KBS, Abdeckung und Laufzeit; zwischen den Modellen lineares CKA auf den in allen gültigen Pixeln (1 = dieselbe Geometrie bis auf Drehung und Skalierung; funktioniert über Dimensionen hinweg) und die Übereinstimmung der k-nächste-Nachbarn-Mengen dieser Pixel (mittlerer Jaccard-Index und Überlappung); dazu die PCA-Karten nebeneinander (pca_side_by_side.png). Der Bericht öffnet sich aus den Processing-Ergebnissen.&lt;br&gt;&lt;b&gt;Backend / Bildquelle&lt;/b&gt; gelten für die Modelle, die sie anbieten; die anderen verwenden auto.&lt;br&gt;&lt;br&gt;Modelle:</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="89"/>
        <source>Extent (any CRS)</source>
        <translation>Ausdehnung (beliebiges KBS)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="93"/>
        <source>Start date (inclusive; imagery models)</source>
        <translation>Startdatum (einschließlich; bildbasierte Modelle)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="94"/>
        <source>End date (exclusive; imagery models)</source>
        <translation>Enddatum (ausschließlich; bildbasierte Modelle)</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="66"/>
        <source>Reference grid: a model&apos;s native grid</source>
        <translation>Referenzraster: das native Raster eines Modells</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="68"/>
        <source>Or: common resolution in metres (ROI&apos;s UTM zone)</source>
        <translation>Oder: gemeinsame Auflösung in Metern (UTM-Zone der ROI)</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="72"/>
        <source>Neighbours for k-NN agreement (k)</source>
        <translation>Nachbarn für die k-NN-Übereinstimmung (k)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="52"/>
        <source>Backend for precomputed products</source>
        <translation>Backend für vorberechnete Produkte</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="101"/>
        <source>Imagery source for on-the-fly models</source>
        <translation>Bildquelle für bei Bedarf berechnete Modelle</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="82"/>
        <source>Grids and PCA maps</source>
        <translation>Raster und PCA-Karten</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="83"/>
        <source>Comparison report</source>
        <translation>Vergleichsbericht</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="84"/>
        <source>Comparison table (CSV)</source>
        <translation>Vergleichstabelle (CSV)</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="85"/>
        <source>Models that ran</source>
        <translation>Gelaufene Modelle</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="94"/>
        <source>Choose at least one model.</source>
        <translation>Mindestens ein Modell wählen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="104"/>
        <source>Give either a reference model or a common resolution, not both.</source>
        <translation>Entweder ein Referenzmodell oder eine gemeinsame Auflösung angeben, nicht beides.</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="106"/>
        <source>The reference model {} is not among the chosen models.</source>
        <translation>Das Referenzmodell {} ist nicht unter den gewählten Modellen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="110"/>
        <source>Comparing {} on {} for {}</source>
        <translation>Vergleiche {} auf {} für {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="117"/>
        <source>{} skipped: {}</source>
        <translation>{} übersprungen: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/compare_models.py" line="124"/>
        <source>Model comparison {} ({})</source>
        <translation>Modellvergleich {} ({})</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="45"/>
        <source>Embed features</source>
        <translation>Objekte einbetten</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="54"/>
        <source>One pooled embedding (mean over the covered pixels) per feature of a vector layer: a square of 2 x &lt;b&gt;buffer&lt;/b&gt; ground metres around each point, or the bounding box of each line or polygon. The features keep their attributes and gain &lt;i&gt;model&lt;/i&gt;, &lt;i&gt;coverage&lt;/i&gt; (fraction of the area with data) and one attribute per dimension (e000, e001, ...). The model is loaded once for all features. A feature that fails (no data, outside coverage) is reported and left with empty (NULL) embedding attributes; the run fails only if every feature does.&lt;br&gt;Optionally also writes a NumPy array (features x dimensions, float32, NaN rows for failures) in the order of the output features.&lt;br&gt;&lt;br&gt;Models:</source>
        <translation>Eine zusammengefasste Einbettung (Mittel über die abgedeckten Pixel) je Objekt eines Vektorlayers: ein Quadrat von 2 x &lt;b&gt;Puffer&lt;/b&gt; Metern am Boden um jeden Punkt oder das umschließende Rechteck jeder Linie bzw. jedes Polygons. Die Objekte behalten ihre Attribute und erhalten &lt;i&gt;model&lt;/i&gt;, &lt;i&gt;coverage&lt;/i&gt; (Anteil der Fläche mit Daten) und ein Attribut je Dimension (e000, e001, ...). Das Modell wird einmal für alle Objekte geladen. Ein Objekt, das fehlschlägt (keine Daten, außerhalb der Abdeckung), wird gemeldet und behält leere (NULL-)Einbettungsattribute; der Lauf schlägt nur fehl, wenn alle Objekte fehlschlagen.&lt;br&gt;Optional wird zusätzlich ein NumPy-Array (Objekte x Dimensionen, float32, NaN-Zeilen für Fehlschläge) in der Reihenfolge der ausgegebenen Objekte geschrieben.&lt;br&gt;&lt;br&gt;Modelle:</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="66"/>
        <source>Features (points, lines or polygons)</source>
        <translation>Objekte (Punkte, Linien oder Polygone)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="90"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="72"/>
        <source>Half-size of the square around points (metres)</source>
        <translation>Halbe Kantenlänge des Quadrats um Punkte (Meter)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="80"/>
        <source>Embedded features</source>
        <translation>Eingebettete Objekte</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="81"/>
        <source>Embeddings as a NumPy array</source>
        <translation>Einbettungen als NumPy-Array</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="81"/>
        <source>NumPy array (*.npy)</source>
        <translation>NumPy-Array (*.npy)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="84"/>
        <source>Features without an embedding</source>
        <translation>Objekte ohne Einbettung</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="120"/>
        <source>Embedding dimension</source>
        <translation>Einbettungsdimension</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="97"/>
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
        <location filename="../processing_provider/embed_features.py" line="118"/>
        <source>Embedding {} features with {} for {}</source>
        <translation>Bette {} Objekte mit {} für {} ein</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="128"/>
        <source>Feature {} has no embedding: {}</source>
        <translation>Objekt {} hat keine Einbettung: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="131"/>
        <source>No feature could be embedded: {}</source>
        <translation>Kein Objekt konnte eingebettet werden: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="139"/>
        <source>The layer already has fields named like the embedding&apos;s; the new fields are prefixed with rse_.</source>
        <translation>Der Layer hat bereits Felder mit den Namen der Einbettung; die neuen Felder erhalten das Präfix rse_.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_features.py" line="163"/>
        <source>{} of {} features embedded ({} dimensions).</source>
        <translation>{} von {} Objekten eingebettet ({} Dimensionen).</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="59"/>
        <source>Embed ROI</source>
        <translation>ROI einbetten</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="74"/>
        <source>Embeds an extent with a remote-sensing foundation model and writes the embedding grid as a georeferenced float32 GeoTIFF (one band per dimension, NaN where there is no data), a PCA pseudocolour RGB layer and, optionally, the pooled vector (mean over covered pixels) as the ROI polygon with one attribute per dimension.&lt;br&gt;&lt;br&gt;&lt;b&gt;Extent&lt;/b&gt;: any CRS; it is transformed to longitude/latitude.&lt;br&gt;&lt;b&gt;Time&lt;/b&gt;: annual products use &lt;i&gt;Year&lt;/i&gt;; give &lt;i&gt;Start date&lt;/i&gt; and &lt;i&gt;End date&lt;/i&gt; (end exclusive) for imagery-based models.&lt;br&gt;&lt;b&gt;Backend&lt;/b&gt; (precomputed products): auto, gee (Earth Engine project needed) or cog (public copy, no account).&lt;br&gt;&lt;b&gt;Imagery source&lt;/b&gt; (on-the-fly models): auto, local (Input raster), stac (no account) or gee.&lt;br&gt;&lt;br&gt;Models:</source>
        <translation>Bettet eine Ausdehnung mit einem Fernerkundungs-Foundation-Modell ein und schreibt das Einbettungsraster als georeferenziertes float32-GeoTIFF (ein Band je Dimension, NaN, wo keine Daten vorliegen), einen PCA-Falschfarben-RGB-Layer und optional den zusammengefassten Vektor (Mittel über die abgedeckten Pixel) als ROI-Polygon mit einem Attribut je Dimension.&lt;br&gt;&lt;br&gt;&lt;b&gt;Ausdehnung&lt;/b&gt;: beliebiges KBS; sie wird in Länge/Breite umgerechnet.&lt;br&gt;&lt;b&gt;Zeit&lt;/b&gt;: jährliche Produkte verwenden &lt;i&gt;Jahr&lt;/i&gt;; für bildbasierte Modelle &lt;i&gt;Startdatum&lt;/i&gt; und &lt;i&gt;Enddatum&lt;/i&gt; (Ende ausschließlich) angeben.&lt;br&gt;&lt;b&gt;Backend&lt;/b&gt; (vorberechnete Produkte): auto, gee (Earth-Engine-Projekt nötig) oder cog (öffentliche Kopie, kein Konto).&lt;br&gt;&lt;b&gt;Bildquelle&lt;/b&gt; (bei Bedarf berechnete Modelle): auto, local (Eingaberaster), stac (kein Konto) oder gee.&lt;br&gt;&lt;br&gt;Modelle:</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="95"/>
        <source>Input raster for the &apos;local&apos; imagery source</source>
        <translation>Eingaberaster für die Bildquelle „local“</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="95"/>
        <source>Maximum scene cloud cover (%)</source>
        <translation>Maximale Wolkenbedeckung der Szene (%)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="98"/>
        <source>Composite of the scenes in the window</source>
        <translation>Komposit der Szenen im Zeitfenster</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="107"/>
        <source>Input preparation for large ROIs (resize / tile / auto)</source>
        <translation>Eingabevorbereitung für große ROIs (resize / tile / auto)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="114"/>
        <source>Embedding grid</source>
        <translation>Einbettungsraster</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="115"/>
        <source>PCA pseudocolour</source>
        <translation>PCA-Falschfarben</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="117"/>
        <source>Pooled embedding (ROI polygon)</source>
        <translation>Zusammengefasste Einbettung (ROI-Polygon)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="121"/>
        <source>Fraction of the ROI covered</source>
        <translation>Abgedeckter Anteil der ROI</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="122"/>
        <source>Run metadata (JSON)</source>
        <translation>Metadaten des Laufs (JSON)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="125"/>
        <source>The &apos;local&apos; imagery source needs an input raster.</source>
        <translation>Die Bildquelle „local“ braucht ein Eingaberaster.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="107"/>
        <source>Embedding {} with {} for {}</source>
        <translation>Bette {} mit {} für {} ein</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="179"/>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embed_roi.py" line="189"/>
        <source>Grid {} x {} x {} in {}; coverage {:.1%}</source>
        <translation>Raster {} x {} x {} in {}; Abdeckung {:.1%}</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="31"/>
        <source>Embedding change</source>
        <translation>Änderung der Einbettung</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="34"/>
        <source>Per-pixel change between two years of the same model as cosine distance 1 - cos(a, b): 0 = the same vector, 1 = orthogonal, up to 2 = opposite.&lt;br&gt;&lt;br&gt;Either give two embedding rasters (&lt;b&gt;Embeddings A and B&lt;/b&gt;; B is resampled onto A&apos;s grid when the grids differ), or an &lt;b&gt;Extent&lt;/b&gt;, a &lt;b&gt;Model&lt;/b&gt; and &lt;b&gt;Year A&lt;/b&gt; / &lt;b&gt;Year B&lt;/b&gt;: the model is run for both years (optionally keeping both grids).&lt;br&gt;Output: float32 GeoTIFF on A&apos;s grid, NaN where either has no data, styled with a colour ramp (2-98 % stretch). Processed block by block.</source>
        <translation>Änderung je Pixel zwischen zwei Jahren desselben Modells als Kosinus-Abstand 1 - cos(a, b): 0 = derselbe Vektor, 1 = orthogonal, bis 2 = entgegengesetzt.&lt;br&gt;&lt;br&gt;Entweder zwei Einbettungsraster angeben (&lt;b&gt;Einbettungen A und B&lt;/b&gt;; B wird auf das Raster von A umgetastet, wenn die Raster verschieden sind) oder eine &lt;b&gt;Ausdehnung&lt;/b&gt;, ein &lt;b&gt;Modell&lt;/b&gt; und &lt;b&gt;Jahr A&lt;/b&gt; / &lt;b&gt;Jahr B&lt;/b&gt;: das Modell wird für beide Jahre ausgeführt (auf Wunsch werden beide Raster behalten).&lt;br&gt;Ausgabe: float32-GeoTIFF auf dem Raster von A, NaN, wo eines keine Daten hat, mit einem Farbverlauf dargestellt (Streckung 2-98 %). Blockweise verarbeitet.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="44"/>
        <source>Embedding A (earlier)</source>
        <translation>Einbettung A (früher)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="45"/>
        <source>Embedding B (later)</source>
        <translation>Einbettung B (später)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="46"/>
        <source>Or: extent (any CRS)</source>
        <translation>Oder: Ausdehnung (beliebiges KBS)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="47"/>
        <source>Model (with an extent)</source>
        <translation>Modell (mit Ausdehnung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="49"/>
        <source>Year A (with an extent)</source>
        <translation>Jahr A (mit Ausdehnung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="49"/>
        <source>Year B (with an extent)</source>
        <translation>Jahr B (mit Ausdehnung)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="53"/>
        <source>Resampling of B onto A&apos;s grid</source>
        <translation>Umtastung von B auf das Raster von A</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="58"/>
        <source>Change (cosine distance)</source>
        <translation>Änderung (Kosinus-Abstand)</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="59"/>
        <source>Embedding grid of year A</source>
        <translation>Einbettungsraster von Jahr A</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="59"/>
        <source>Embedding grid of year B</source>
        <translation>Einbettungsraster von Jahr B</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="62"/>
        <source>Mean cosine distance</source>
        <translation>Mittlerer Kosinus-Abstand</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="78"/>
        <source>Give both embeddings A and B, or neither and an extent with two years.</source>
        <translation>Beide Einbettungen A und B angeben oder keine von beiden und eine Ausdehnung mit zwei Jahren.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="85"/>
        <source>B was resampled onto A&apos;s grid ({}).</source>
        <translation>B wurde auf das Raster von A umgetastet ({}).</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="86"/>
        <source>Mean cosine distance {:.4f}</source>
        <translation>Mittlerer Kosinus-Abstand {:.4f}</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="97"/>
        <source>Give two embedding rasters, or an extent with a model and two years.</source>
        <translation>Zwei Einbettungsraster angeben oder eine Ausdehnung mit einem Modell und zwei Jahren.</translation>
    </message>
    <message>
        <location filename="../processing_provider/embedding_change.py" line="100"/>
        <source>With an extent, give Year A and Year B.</source>
        <translation>Mit einer Ausdehnung Jahr A und Jahr B angeben.</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="49"/>
        <source>Fetch imagery</source>
        <translation>Bilder abrufen</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="64"/>
        <source>Writes the Sentinel-2 composite that on-the-fly models see for an extent and a time window, so you can inspect it before embedding: a float32 GeoTIFF of surface reflectance x 10000 (NaN = no data or masked), one band per requested band, on the extent&apos;s local UTM zone at &lt;i&gt;Pixel size&lt;/i&gt; metres, shown as true colour (B04/B03/B02, stretch 0-3000).&lt;br&gt;&lt;br&gt;&lt;b&gt;Time&lt;/b&gt;: &lt;i&gt;Start date&lt;/i&gt; and &lt;i&gt;End date&lt;/i&gt; (end exclusive), or a &lt;i&gt;Year&lt;/i&gt;.&lt;br&gt;&lt;b&gt;Imagery source&lt;/b&gt;: &lt;i&gt;local&lt;/i&gt; reads the &lt;i&gt;Input raster&lt;/i&gt; (any CRS; bands by Sentinel-2 names in the band descriptions, by red/green/blue colour, or the &lt;i&gt;Band mapping&lt;/i&gt;, e.g. B04=3,B03=2,B02=1); &lt;i&gt;stac&lt;/i&gt; reads Sentinel-2 L2A from a STAC API (Earth Search by default, no account); &lt;i&gt;gee&lt;/i&gt; reads COPERNICUS/S2_SR_HARMONIZED from Earth Engine (project in the settings); &lt;i&gt;auto&lt;/i&gt; picks local when a raster is given, else gee when a project is set, else stac.&lt;br&gt;&lt;b&gt;Clouds&lt;/b&gt;: scenes above &lt;i&gt;Maximum scene cloud cover&lt;/i&gt; are skipped; with &lt;i&gt;Mask clouds&lt;/i&gt; cloud, cloud shadow, cirrus and defective pixels are masked (SCL on STAC, Cloud Score+ on Earth Engine).&lt;br&gt;&lt;b&gt;Composite&lt;/b&gt;: &lt;i&gt;median&lt;/i&gt; of the valid pixels, or &lt;i&gt;mosaic&lt;/i&gt; (least cloudy scene first). The +1000 offset of newer Sentinel-2 processing is removed.&lt;br&gt;&lt;b&gt;Bands&lt;/b&gt;: RGB, RGBN, all S2, or names such as B04,B03,B02,B08.&lt;br&gt;Fetched composites are cached, so embedding the same area afterwards reads no imagery again.</source>
        <translation>Schreibt das Sentinel-2-Komposit, das bei Bedarf berechnete Modelle für eine Ausdehnung und ein Zeitfenster sehen, damit es vor dem Einbetten geprüft werden kann: ein float32-GeoTIFF der Oberflächenreflexion x 10000 (NaN = keine Daten oder maskiert), ein Band je angefordertem Band, in der lokalen UTM-Zone der Ausdehnung mit &lt;i&gt;Pixelgröße&lt;/i&gt; Metern, dargestellt in Echtfarben (B04/B03/B02, Streckung 0-3000).&lt;br&gt;&lt;br&gt;&lt;b&gt;Zeit&lt;/b&gt;: &lt;i&gt;Startdatum&lt;/i&gt; und &lt;i&gt;Enddatum&lt;/i&gt; (Ende ausschließlich) oder ein &lt;i&gt;Jahr&lt;/i&gt;.&lt;br&gt;&lt;b&gt;Bildquelle&lt;/b&gt;: &lt;i&gt;local&lt;/i&gt; liest das &lt;i&gt;Eingaberaster&lt;/i&gt; (beliebiges KBS; Bänder über Sentinel-2-Namen in den Bandbeschreibungen, über die Farben Rot/Grün/Blau oder die &lt;i&gt;Bandzuordnung&lt;/i&gt;, z. B. B04=3,B03=2,B02=1); &lt;i&gt;stac&lt;/i&gt; liest Sentinel-2 L2A aus einer STAC-API (standardmäßig Earth Search, kein Konto); &lt;i&gt;gee&lt;/i&gt; liest COPERNICUS/S2_SR_HARMONIZED aus Earth Engine (Projekt in den Einstellungen); &lt;i&gt;auto&lt;/i&gt; wählt local, wenn ein Raster angegeben ist, sonst gee, wenn ein Projekt eingestellt ist, sonst stac.&lt;br&gt;&lt;b&gt;Wolken&lt;/b&gt;: Szenen über der &lt;i&gt;maximalen Wolkenbedeckung der Szene&lt;/i&gt; werden übersprungen; mit &lt;i&gt;Wolken maskieren&lt;/i&gt; werden Wolken, Wolkenschatten, Zirren und fehlerhafte Pixel maskiert (SCL bei STAC, Cloud Score+ bei Earth Engine).&lt;br&gt;&lt;b&gt;Komposit&lt;/b&gt;: &lt;i&gt;median&lt;/i&gt; der gültigen Pixel oder &lt;i&gt;mosaic&lt;/i&gt; (wolkenärmste Szene zuerst). Der Versatz von +1000 neuerer Sentinel-2-Prozessierungen wird entfernt.&lt;br&gt;&lt;b&gt;Bänder&lt;/b&gt;: RGB, RGBN, alle S2 oder Namen wie B04,B03,B02,B08.&lt;br&gt;Abgerufene Komposite werden zwischengespeichert, sodass beim späteren Einbetten desselben Gebiets keine Bilder erneut gelesen werden.</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="87"/>
        <source>Start date (inclusive)</source>
        <translation>Startdatum (einschließlich)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="88"/>
        <source>End date (exclusive)</source>
        <translation>Enddatum (ausschließlich)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="91"/>
        <source>Input raster (for the &apos;local&apos; source)</source>
        <translation>Eingaberaster (für die Quelle „local“)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="93"/>
        <source>Bands (RGB, RGBN, all S2, or e.g. B04,B03,B02,B08)</source>
        <translation>Bänder (RGB, RGBN, alle S2 oder z. B. B04,B03,B02,B08)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="101"/>
        <source>Pixel size (ground metres, local UTM)</source>
        <translation>Pixelgröße (Meter am Boden, lokales UTM)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="103"/>
        <source>Mask clouds per pixel</source>
        <translation>Wolken je Pixel maskieren</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="104"/>
        <source>Band mapping for the input raster (e.g. B04=3,B03=2,B02=1)</source>
        <translation>Bandzuordnung für das Eingaberaster (z. B. B04=3,B03=2,B02=1)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="110"/>
        <source>Imagery</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="143"/>
        <source>Source: {}; {} scene(s): {}</source>
        <translation>Quelle: {}; {} Szene(n): {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="145"/>
        <source>Grid: {} at {:g} m, {} x {} pixels; {:.0%} of pixels have data{}</source>
        <translation>Raster: {} mit {:g} m, {} x {} Pixel; {:.0%} der Pixel haben Daten{}</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="145"/>
        <source> (from the cache)</source>
        <translation> (aus dem Zwischenspeicher)</translation>
    </message>
    <message>
        <location filename="../processing_provider/fetch_imagery.py" line="152"/>
        <source>Imagery {} {}</source>
        <translation>Bilder {} {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="71"/>
        <source>Year (for annual products)</source>
        <translation>Jahr (für jährliche Produkte)</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="95"/>
        <source>The extent {} is empty or inverted: give xmin &lt; xmax and ymin &lt; ymax.</source>
        <translation>Die Ausdehnung {} ist leer oder vertauscht: xmin &lt; xmax und ymin &lt; ymax angeben.</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="100"/>
        <source>The extent is empty: draw or type an area with a width and a height.</source>
        <translation>Die Ausdehnung ist leer: eine Fläche mit Breite und Höhe zeichnen oder eingeben.</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="109"/>
        <source>The extent cannot be transformed to longitude/latitude ({}): it is not on Earth in {}.</source>
        <translation>Die Ausdehnung kann nicht in Länge/Breite umgerechnet werden ({}): sie liegt in {} nicht auf der Erde.</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="114"/>
        <source>The extent is not on Earth after transformation from {} to EPSG:4326.</source>
        <translation>Die Ausdehnung liegt nach der Umrechnung von {} nach EPSG:4326 nicht auf der Erde.</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="118"/>
        <source>The extent is not on Earth: in EPSG:4326 it spans lon {:.4f}..{:.4f}, lat {:.4f}..{:.4f}; check the extent&apos;s CRS ({}).</source>
        <translation>Die Ausdehnung liegt nicht auf der Erde: in EPSG:4326 reicht sie über Länge {:.4f}..{:.4f}, Breite {:.4f}..{:.4f}; das KBS der Ausdehnung prüfen ({}).</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="137"/>
        <source>The extent is not on Earth: the point ({}, {}) in {} has no longitude/latitude. Check the extent&apos;s coordinates and CRS.</source>
        <translation>Die Ausdehnung liegt nicht auf der Erde: der Punkt ({}, {}) in {} hat keine Länge/Breite. Koordinaten und KBS der Ausdehnung prüfen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="168"/>
        <source>Give both a start and an end date (the end is exclusive), or neither and a year.</source>
        <translation>Sowohl ein Start- als auch ein Enddatum angeben (das Ende ist ausschließlich) oder keines von beiden und ein Jahr.</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="171"/>
        <source>Give a year, or a start and an end date.</source>
        <translation>Ein Jahr angeben oder ein Start- und ein Enddatum.</translation>
    </message>
    <message>
        <location filename="../processing_provider/params.py" line="192"/>
        <source>Cancelled: {}</source>
        <translation>Abgebrochen: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/pca_rgb.py" line="19"/>
        <source>PCA RGB of embeddings</source>
        <translation>PCA-RGB von Einbettungen</translation>
    </message>
    <message>
        <location filename="../processing_provider/pca_rgb.py" line="22"/>
        <source>Projects every pixel of an embedding raster (any model, one band per dimension, NaN or the raster&apos;s no-data where empty) onto its first three principal components and writes them as an RGBA GeoTIFF (2-98 % stretch, transparent where there is no data). The PCA is fitted on a regular sample of up to 200,000 pixels and applied block by block, so large rasters fit in memory. The explained variance is stored in the tag RS_EMBED_PCA_EXPLAINED.</source>
        <translation>Projiziert jedes Pixel eines Einbettungsrasters (beliebiges Modell, ein Band je Dimension, NaN oder der NoData-Wert des Rasters, wo leer) auf seine ersten drei Hauptkomponenten und schreibt sie als RGBA-GeoTIFF (Streckung 2-98 %, transparent, wo keine Daten vorliegen). Die PCA wird an einer regelmäßigen Stichprobe von bis zu 200.000 Pixeln angepasst und blockweise angewendet, sodass auch große Raster in den Speicher passen. Die erklärte Varianz steht im Tag RS_EMBED_PCA_EXPLAINED.</translation>
    </message>
    <message>
        <location filename="../processing_provider/pca_rgb.py" line="31"/>
        <source>PCA RGB</source>
        <translation>PCA-RGB</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="28"/>
        <source>Reference feature {} has no geometry; skipped.</source>
        <translation>Referenzobjekt {} hat keine Geometrie; übersprungen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="38"/>
        <source>Reference feature {} is neither a point nor a polygon; skipped.</source>
        <translation>Referenzobjekt {} ist weder Punkt noch Polygon; übersprungen.</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="49"/>
        <source>Similarity map</source>
        <translation>Ähnlichkeitskarte</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="52"/>
        <source>Cosine similarity (-1..1) of every pixel of an embedding raster to reference vectors taken from the raster itself: the pixel under each reference point, or the mean vector of the pixels inside each reference polygon (a polygon smaller than a pixel takes the pixels it touches). Give a point/polygon layer (its selected features if &apos;selected features only&apos; is ticked), a single point, or both.&lt;br&gt;&lt;br&gt;&lt;b&gt;Combine&lt;/b&gt;: &lt;i&gt;max&lt;/i&gt; gives each pixel its similarity to the closest reference; &lt;i&gt;mean&lt;/i&gt; compares it with the mean direction of all references.&lt;br&gt;Output: float32 GeoTIFF, NaN where there is no data, styled with a colour ramp (2-98 % stretch). The raster is processed block by block.</source>
        <translation>Kosinus-Ähnlichkeit (-1..1) jedes Pixels eines Einbettungsrasters zu Referenzvektoren aus dem Raster selbst: das Pixel unter jedem Referenzpunkt oder der Mittelvektor der Pixel in jedem Referenzpolygon (ein Polygon, das kleiner als ein Pixel ist, nimmt die Pixel, die es berührt). Einen Punkt-/Polygonlayer (bei angekreuztem „Nur gewählte Objekte“ dessen gewählte Objekte), einen einzelnen Punkt oder beides angeben.&lt;br&gt;&lt;br&gt;&lt;b&gt;Kombinieren&lt;/b&gt;: &lt;i&gt;max&lt;/i&gt; gibt jedem Pixel seine Ähnlichkeit zur nächstgelegenen Referenz; &lt;i&gt;mean&lt;/i&gt; vergleicht es mit der mittleren Richtung aller Referenzen.&lt;br&gt;Ausgabe: float32-GeoTIFF, NaN, wo keine Daten vorliegen, mit einem Farbverlauf dargestellt (Streckung 2-98 %). Das Raster wird blockweise verarbeitet.</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="64"/>
        <source>Reference points or polygons</source>
        <translation>Referenzpunkte oder -polygone</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="67"/>
        <source>Reference point</source>
        <translation>Referenzpunkt</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="68"/>
        <source>Combine several references by</source>
        <translation>Mehrere Referenzen kombinieren über</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="70"/>
        <source>Similarity</source>
        <translation>Ähnlichkeit</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="71"/>
        <source>Reference vectors used</source>
        <translation>Verwendete Referenzvektoren</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="72"/>
        <source>Mean similarity</source>
        <translation>Mittlere Ähnlichkeit</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="87"/>
        <source>Give reference points or polygons (a layer) or a reference point.</source>
        <translation>Referenzpunkte oder -polygone (einen Layer) oder einen Referenzpunkt angeben.</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="95"/>
        <source>Reference skipped: {}</source>
        <translation>Referenz übersprungen: {}</translation>
    </message>
    <message>
        <location filename="../processing_provider/similarity_map.py" line="96"/>
        <source>{} reference vectors; mean similarity {:.3f}</source>
        <translation>{} Referenzvektoren; mittlere Ähnlichkeit {:.3f}</translation>
    </message>
    <message>
        <source> (importing each package)</source>
        <translation> (jedes Paket wird importiert)</translation>
    </message>
    <message>
        <source>A download that moves less than 1 KiB in this time fails.</source>
        <translation>Ein Download, der in dieser Zeit weniger als 1 KiB überträgt, schlägt fehl.</translation>
    </message>
    <message>
        <source>Checking the core's environment (importing each package)...</source>
        <translation>Die Umgebung des Kerns wird geprüft (jedes Paket wird importiert)...</translation>
    </message>
    <message>
        <source>Checking the core's environment{}...</source>
        <translation>Die Umgebung des Kerns wird geprüft{}...</translation>
    </message>
    <message>
        <source>Checks the core's own environment (the Python of the core, not QGIS's): for each model family whether its pinned packages are installed (with the installed and pinned versions), which models can run, and whether torch sees a GPU (CUDA or Apple MPS) or runs on the CPU.&lt;br&gt;&lt;br&gt;&lt;b&gt;Import every package&lt;/b&gt; also imports each present package to catch broken installs.&lt;br&gt;&lt;b&gt;Install what is missing&lt;/b&gt; installs exactly the missing pinned packages into the core's environment (never into QGIS's Python).&lt;br&gt;&lt;br&gt;Before set-up it says how to set up: Raster › RS Embed › Set up RS Embed.</source>
        <translation>Prüft die eigene Umgebung des Kerns (das Python des Kerns, nicht das von QGIS): für jede Modellfamilie, ob ihre festgelegten Pakete installiert sind (mit installierter und festgelegter Version), welche Modelle laufen können und ob torch eine GPU (CUDA oder Apple MPS) sieht oder auf der CPU rechnet.&lt;br&gt;&lt;br&gt;&lt;b&gt;Jedes Paket importieren&lt;/b&gt; importiert zusätzlich jedes vorhandene Paket, um defekte Installationen zu finden.&lt;br&gt;&lt;b&gt;Fehlendes installieren&lt;/b&gt; installiert genau die fehlenden festgelegten Pakete in die Umgebung des Kerns (nie in das Python von QGIS).&lt;br&gt;&lt;br&gt;Vor der Einrichtung sagt es, wie man einrichtet: Raster › RS Embed › RS Embed einrichten.</translation>
    </message>
    <message>
        <source>Choose at least one model family.</source>
        <translation>Mindestens eine Modellfamilie wählen.</translation>
    </message>
    <message>
        <source>Computation</source>
        <translation>Berechnung</translation>
    </message>
    <message>
        <source>Copy report</source>
        <translation>Bericht kopieren</translation>
    </message>
    <message>
        <source>Core environment</source>
        <translation>Umgebung des Kerns</translation>
    </message>
    <message>
        <source>Create RS Embed's own Python environment and install the core and the precomputed products into it</source>
        <translation>Die eigene Python-Umgebung von RS Embed anlegen und den Kern und die vorberechneten Produkte darin installieren</translation>
    </message>
    <message>
        <source>Create RS Embed's own Python environment in
{}
and install the core and the precomputed products ({}) into it? This downloads about 300 MB. Progress shows in the task manager; the toolbox algorithm 'Set up RS Embed' offers more choices (other families, a Python of your choice, an offline folder of wheels).</source>
        <translation>Die eigene Python-Umgebung von RS Embed in
{}
anlegen und den Kern und die vorberechneten Produkte ({}) darin installieren? Dabei werden etwa 300 MB heruntergeladen. Der Fortschritt erscheint im Aufgabenmanager; der Werkzeugkasten-Algorithmus „RS Embed einrichten“ bietet mehr Möglichkeiten (weitere Familien, ein Python Ihrer Wahl, ein Offline-Ordner mit Wheels).</translation>
    </message>
    <message>
        <source>Creates RS Embed's own Python environment (a virtual environment in the profile's folder rs_embed/) from a Python 3.11 or newer, and installs the pinned packages of the chosen model families into it. Only what is missing is installed; pip's output goes to the log, and cancel stops it. The core then runs in that environment, away from QGIS's own libraries.&lt;br&gt;&lt;br&gt;&lt;b&gt;Python to build from&lt;/b&gt;: optional; by default a Python 3.11+ with venv is looked for.&lt;br&gt;&lt;b&gt;Folder of wheels&lt;/b&gt;: optional; install offline from it (pip --no-index --find-links).&lt;br&gt;If the setting 'Python of the core' (RS_EMBED_PYTHON) names another Python, that one keeps running the core.&lt;br&gt;&lt;br&gt;Families:</source>
        <translation>Legt die eigene Python-Umgebung von RS Embed an (eine virtuelle Umgebung im Profilordner rs_embed/), aus einem Python 3.11 oder neuer, und installiert die festgelegten Pakete der gewählten Modellfamilien darin. Nur Fehlendes wird installiert; die Ausgabe von pip geht ins Protokoll, und Abbrechen beendet pip. Der Kern läuft dann in dieser Umgebung, getrennt von den Bibliotheken von QGIS.&lt;br&gt;&lt;br&gt;&lt;b&gt;Python als Grundlage&lt;/b&gt;: optional; sonst wird ein Python 3.11+ mit venv gesucht.&lt;br&gt;&lt;b&gt;Ordner mit Wheels&lt;/b&gt;: optional; installiert offline daraus (pip --no-index --find-links).&lt;br&gt;Nennt die Einstellung „Python des Kerns“ (RS_EMBED_PYTHON) ein anderes Python, führt weiterhin dieses den Kern aus.&lt;br&gt;&lt;br&gt;Familien:</translation>
    </message>
    <message>
        <source>Dask</source>
        <translation>Dask</translation>
    </message>
    <message>
        <source>Data and cache</source>
        <translation>Daten und Zwischenspeicher</translation>
    </message>
    <message>
        <source>Data sources</source>
        <translation>Datenquellen</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>Downloads</translation>
    </message>
    <message>
        <source>Environment folder</source>
        <translation>Ordner der Umgebung</translation>
    </message>
    <message>
        <source>Families</source>
        <translation>Familien</translation>
    </message>
    <message>
        <source>Folder of wheels (offline installation)</source>
        <translation>Ordner mit Wheels (Offline-Installation)</translation>
    </message>
    <message>
        <source>Install what is missing</source>
        <translation>Fehlendes installieren</translation>
    </message>
    <message>
        <source>Install what is missing into the core's environment</source>
        <translation>Fehlendes in die Umgebung des Kerns installieren</translation>
    </message>
    <message>
        <source>Install what is missing with Raster › RS Embed › Check environment.</source>
        <translation>Fehlendes über Raster › RS Embed › Umgebung prüfen installieren.</translation>
    </message>
    <message>
        <source>Installing what {} lack into {} ...</source>
        <translation>Was {} fehlt, wird in {} installiert ...</translation>
    </message>
    <message>
        <source>Installing {} into {} ... (progress in the task manager, pip's output in the RS Embed log)</source>
        <translation>{} wird in {} installiert ... (Fortschritt im Aufgabenmanager, Ausgabe von pip im Protokoll „RS Embed“)</translation>
    </message>
    <message>
        <source>Installs exactly the missing pinned packages into the core's environment (never into QGIS's own Python).</source>
        <translation>Installiert genau die fehlenden festgelegten Pakete in die Umgebung des Kerns (nie in das Python von QGIS).</translation>
    </message>
    <message>
        <source>Longest download</source>
        <translation>Längster Download</translation>
    </message>
    <message>
        <source>Missing families</source>
        <translation>Fehlende Familien</translation>
    </message>
    <message>
        <source>Missing in the core's environment: {}. See Check environment.</source>
        <translation>Fehlt in der Umgebung des Kerns: {}. Siehe „Umgebung prüfen“.</translation>
    </message>
    <message>
        <source>Missing packages (pinned requirements)</source>
        <translation>Fehlende Pakete (festgelegte Versionen)</translation>
    </message>
    <message>
        <source>Model families to install</source>
        <translation>Zu installierende Modellfamilien</translation>
    </message>
    <message>
        <source>Needs the families: {}</source>
        <translation>Braucht die Familien: {}</translation>
    </message>
    <message>
        <source>Packages installed by this run</source>
        <translation>Von diesem Lauf installierte Pakete</translation>
    </message>
    <message>
        <source>Python of the core</source>
        <translation>Python des Kerns</translation>
    </message>
    <message>
        <source>Python of the core: {}</source>
        <translation>Python des Kerns: {}</translation>
    </message>
    <message>
        <source>Python of the core: {} ({})</source>
        <translation>Python des Kerns: {} ({})</translation>
    </message>
    <message>
        <source>Python to build the environment from (3.11 or newer)</source>
        <translation>Python als Grundlage der Umgebung (3.11 oder neuer)</translation>
    </message>
    <message>
        <source>RS Embed is not set up yet</source>
        <translation>RS Embed ist noch nicht eingerichtet</translation>
    </message>
    <message>
        <source>RS Embed is not set up: run Raster › RS Embed › Set up RS Embed.</source>
        <translation>RS Embed ist nicht eingerichtet: Raster › RS Embed › RS Embed einrichten ausführen.</translation>
    </message>
    <message>
        <source>RS Embed: install {}</source>
        <translation>RS Embed: {} installieren</translation>
    </message>
    <message>
        <source>RS Embed: set up {}</source>
        <translation>RS Embed: {} einrichten</translation>
    </message>
    <message>
        <source>Set it up with {} › Set up RS Embed (or headless: qgis_process run rs_embed:setup_environment), or point the setting 'Python of the core' (RS_EMBED_PYTHON) at a Python that has the core's packages.</source>
        <translation>Richten Sie es mit {} › RS Embed einrichten ein (ohne Oberfläche: qgis_process run rs_embed:setup_environment), oder lassen Sie die Einstellung „Python des Kerns“ (RS_EMBED_PYTHON) auf ein Python mit den Paketen des Kerns zeigen.</translation>
    </message>
    <message>
        <source>Set up RS Embed</source>
        <translation>RS Embed einrichten</translation>
    </message>
    <message>
        <source>Set up RS Embed...</source>
        <translation>RS Embed einrichten...</translation>
    </message>
    <message>
        <source>Setting up RS Embed ... (progress in the task manager, pip's output in the RS Embed log)</source>
        <translation>RS Embed wird eingerichtet ... (Fortschritt im Aufgabenmanager, Ausgabe von pip im Protokoll „RS Embed“)</translation>
    </message>
    <message>
        <source>Setting up {} in {}</source>
        <translation>{} wird in {} eingerichtet</translation>
    </message>
    <message>
        <source>Stalled after</source>
        <translation>Abbruch bei Stillstand nach</translation>
    </message>
    <message>
        <source>The Python that runs the core (RS_EMBED_PYTHON): leave empty to use the environment of Raster › RS Embed › Set up RS Embed, or name the python of an existing environment (venv, conda) that has the core's packages.</source>
        <translation>Das Python, das den Kern ausführt (RS_EMBED_PYTHON): leer lassen für die Umgebung aus Raster › RS Embed › RS Embed einrichten, oder das python einer vorhandenen Umgebung (venv, conda) mit den Paketen des Kerns angeben.</translation>
    </message>
    <message>
        <source>The families {} are missing. 'Install what is missing' (Raster › RS Embed › Check environment) installs exactly their pinned packages into the core's environment; headless: qgis_process run rs_embed:check_environment -- INSTALL_MISSING=true. Nothing is installed into QGIS's own Python.</source>
        <translation>Die Familien {} fehlen. „Fehlendes installieren“ (Raster › RS Embed › Umgebung prüfen) installiert genau ihre festgelegten Pakete in die Umgebung des Kerns; ohne Oberfläche: qgis_process run rs_embed:check_environment -- INSTALL_MISSING=true. In das Python von QGIS wird nichts installiert.</translation>
    </message>
    <message>
        <source>The longest one download may take, retries included.</source>
        <translation>Die längste Zeit, die ein Download dauern darf, Wiederholungen eingeschlossen.</translation>
    </message>
    <message>
        <source>The setting 'Python of the core' (RS_EMBED_PYTHON) names another Python, which keeps running the core; clear it to use this environment.</source>
        <translation>Die Einstellung „Python des Kerns“ (RS_EMBED_PYTHON) nennt ein anderes Python, das weiterhin den Kern ausführt; leeren Sie sie, um diese Umgebung zu verwenden.</translation>
    </message>
    <message>
        <source>What is missing</source>
        <translation>Was fehlt</translation>
    </message>
    <message>
        <source>[not set up]</source>
        <translation>[nicht eingerichtet]</translation>
    </message>
    <message>
        <source>cluster embeddings (k-means), compare models, reports</source>
        <translation>Embeddings clustern (k-means), Modelle vergleichen, Berichte</translation>
    </message>
    <message>
        <source>default (3600 s)</source>
        <translation>Standard (3600 s)</translation>
    </message>
    <message>
        <source>default (60 s)</source>
        <translation>Standard (60 s)</translation>
    </message>
    <message>
        <source>default: the environment made by Set up RS Embed</source>
        <translation>Standard: die Umgebung aus „RS Embed einrichten“</translation>
    </message>
    <message>
        <source>large extents in chunks, on a local or remote Dask cluster</source>
        <translation>große Ausdehnungen in Blöcken, auf einem lokalen oder entfernten Dask-Cluster</translation>
    </message>
    <message>
        <source>model {}: {}</source>
        <translation>Modell {}: {}</translation>
    </message>
    <message>
        <source>named by the setting 'Python of the core' (RS_EMBED_PYTHON)</source>
        <translation>gewählt mit der Einstellung „Python des Kerns“ (RS_EMBED_PYTHON)</translation>
    </message>
    <message>
        <source>needs {}</source>
        <translation>braucht {}</translation>
    </message>
    <message>
        <source>pinned</source>
        <translation>festgelegt</translation>
    </message>
    <message>
        <source>the environment made by Set up RS Embed</source>
        <translation>die Umgebung aus „RS Embed einrichten“</translation>
    </message>
    <message>
        <source>{}: cancelled.</source>
        <translation>{}: abgebrochen.</translation>
    </message>
    <message>
        <source>{}: done.</source>
        <translation>{}: fertig.</translation>
    </message>
    <message>
        <source>AlphaEarth (GSE) index</source>
        <translation>AlphaEarth-(GSE-)Index</translation>
    </message>
    <message>
        <source>Cache</source>
        <translation>Zwischenspeicher</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>Copernicus Embed</source>
        <translation>Copernicus Embed</translation>
    </message>
    <message>
        <source>Model weights</source>
        <translation>Modellgewichte</translation>
    </message>
    <message>
        <source>Not inside the cache folder: never cleared here.</source>
        <translation>Nicht im Zwischenspeicher-Ordner: wird hier nie geleert.</translation>
    </message>
    <message>
        <source>Remove the cached files in {}? They are downloaded again when needed.</source>
        <translation>Die zwischengespeicherten Dateien in {} entfernen? Sie werden bei Bedarf erneut heruntergeladen.</translation>
    </message>
    <message>
        <source>Tessera tiles</source>
        <translation>Tessera-Kacheln</translation>
    </message>
    <message>
        <source>{} in {} files</source>
        <translation>{} in {} Dateien</translation>
    </message>
    <message>
        <source>Fetch imagery refuses larger areas; embedding checks the output size and the free disk space instead.</source>
        <translation>„Bilder abrufen“ lehnt größere Flächen ab; das Einbetten prüft stattdessen die Ausgabegröße und den freien Speicherplatz.</translation>
    </message>
    <message>
        <source>Choices by id (as qgis_process and scripts take them):</source>
        <translation>Auswahlwerte als IDs (so nehmen qgis_process und Skripte sie an):</translation>
    </message>
    <message>
        <source>as {}</source>
        <translation>wie {}</translation>
    </message>
    <message>
        <source>[Not selected]</source>
        <translation>[Nicht gewählt]</translation>
    </message>
    <message>
        <source>Reflectance x 10^4 (Sentinel-2 L2A)</source>
        <translation>Reflektanz x 10^4 (Sentinel-2 L2A)</translation>
    </message>
    <message>
        <source>Reflectance 0-1</source>
        <translation>Reflektanz 0-1</translation>
    </message>
    <message>
        <source>8-bit, 0-255 (aerial or photo RGB)</source>
        <translation>8 Bit, 0-255 (Luftbild- oder Foto-RGB)</translation>
    </message>
</context>
</TS>
