"""Plugin entry: registers the Processing provider (also for qgis_process)
and the interactive actions in the desktop GUI."""
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
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()
        if self.iface is not None:
            try:
                from .gui.actions import PluginActions
            except ImportError:  # GUI module not present yet
                return
            self.gui = PluginActions(self.iface)
            self.gui.setup()

    def unload(self):
        if self.gui is not None:
            self.gui.teardown()
            self.gui = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        from .qgis_common.i18n import remove_translator

        remove_translator(self.translator)
        self.translator = None
