"""The widget of a labelled choice parameter (see choices.py): a combo box, or
a list of check boxes for several, showing labels and returning ids. Loaded
by Processing's dialogs only (it imports Processing's GUI)."""
from __future__ import annotations

from processing.gui.wrappers import DIALOG_MODELER, WidgetWrapper
from qgis.core import QgsProcessingParameterDefinition, QgsProcessingParameterEnum
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QComboBox, QListWidget, QListWidgetItem

from .choices import option_labels
from .params import tr


class LabelledChoiceWrapper(WidgetWrapper):
    def createWidget(self):  # noqa: N802
        param = self.parameterDefinition()
        labels = option_labels(param)
        if param.allowMultiple():
            widget = QListWidget()
            for opt, label in labels.items():
                item = QListWidgetItem(label)
                item.setData(Qt.UserRole, opt)
                item.setToolTip(opt)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Unchecked)
                widget.addItem(item)
            widget.setMinimumHeight(120)
            return widget
        widget = QComboBox()
        if param.flags() & QgsProcessingParameterDefinition.FlagOptional:
            widget.addItem(tr("[Not selected]"), self.NOT_SET_OPTION)
        for opt, label in labels.items():
            widget.addItem(label, opt)
            widget.setItemData(widget.count() - 1, opt, Qt.ToolTipRole)
        if self.dialogType == DIALOG_MODELER:  # the model's own inputs and outputs of the same type
            for v in self.dialog.getAvailableValuesOfType(QgsProcessingParameterEnum):
                widget.addItem(self.dialog.resolveValueDescription(v), v)
        return widget

    def setValue(self, value):  # noqa: N802
        if value is None:
            return
        if isinstance(self.widget, QListWidget):
            values = value if isinstance(value, (list, tuple)) else str(value).split(",")
            # the modeler passes its stored static values as parameter sources
            chosen = {v.staticValue() if hasattr(v, "staticValue") else v for v in values}
            for i in range(self.widget.count()):
                item = self.widget.item(i)
                item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in chosen else Qt.Unchecked)
        else:
            self.setComboValue(value)

    def value(self):
        if isinstance(self.widget, QListWidget):
            return [self.widget.item(i).data(Qt.UserRole) for i in range(self.widget.count())
                    if self.widget.item(i).checkState() == Qt.Checked]
        return self.comboValue()
