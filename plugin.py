"""Plugin entry: registers the Processing provider (also for qgis_process)
and the interactive actions in the desktop GUI. Nothing of the core runs in
QGIS's process: on unload the warm workers are closed."""
from qgis.core import QgsApplication


class RSEmbedPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.gui = None
        from .qgis_common.i18n import install_translator

        self.translator = install_translator()  # the .qm of the user's locale, if any

    def initProcessing(self):  # noqa: N802 (QGIS API)
        from .processing_provider.provider import RSEmbedProvider

        if self.provider is None:
            self.provider = RSEmbedProvider()
            if not QgsApplication.processingRegistry().addProvider(self.provider):
                self.provider = None  # one is registered already (QGIS deleted this one)

    def initGui(self):  # noqa: N802
        self.initProcessing()
        if self.iface is not None:
            from .gui.actions import PluginActions

            self.gui = PluginActions(self.iface)
            self.gui.setup()

    def unload(self):
        if self.gui is not None:
            self.gui.teardown()
            self.gui = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        from .embedders import jobclient
        from .qgis_common.i18n import remove_translator

        jobclient.shutdown()  # warm workers exit with the plugin
        remove_translator(self.translator)
        self.translator = None
