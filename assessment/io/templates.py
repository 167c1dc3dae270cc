"""Import templates: the header of an import file, as CSV or as XLSX with drop-downs
of the allowed codes and a sheet that explains each column."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessment.instrument.questionnaire import DEFAULT_LANGUAGE, Questionnaire, Scale, translate
from assessment.io.importing import LOCALE_COLUMN, MAX_ROWS, SEPARATOR, SUBMITTED_ON_COLUMN


def template_columns(questionnaire: Questionnaire) -> list[str]:
    """The header of an import file: every item key, then the optional extra columns."""
    return [item.key for item in questionnaire.items()] + [LOCALE_COLUMN, SUBMITTED_ON_COLUMN]


def csv_template(questionnaire: Questionnaire) -> bytes:
    """An empty CSV import file: the header row only."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(template_columns(questionnaire))
    return out.getvalue().encode("utf-8")


def xlsx_template(questionnaire: Questionnaire) -> bytes:
    """An empty XLSX import file: the header, drop-downs of codes, and a sheet of the codes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if sheet is None:  # a new workbook always has one sheet
        raise RuntimeError("openpyxl made a workbook without a sheet")
    sheet.title = "responses"
    sheet.append(template_columns(questionnaire))
    sheet.freeze_panes = "A2"
    for index, item in enumerate(questionnaire.items(), start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(item.key) + 2)
        _add_drop_down(sheet, index, questionnaire.scales[item.scale])
    _codes_sheet(workbook.create_sheet("codes"), questionnaire)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _add_drop_down(sheet: Any, column: int, scale: Scale) -> None:
    """Offer the codes of a single-choice column without refusing labels typed instead."""
    listed = ",".join(option.code for option in scale.options)
    if scale.kind == "multiple" or len(listed) > 250:  # Excel's limit for an inline list
        return
    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True,
                                showErrorMessage=False)
    validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(validation)


def _codes_sheet(sheet: Any, questionnaire: Questionnaire) -> None:
    sheet.append(["column", "question", "required", "answers", "code", "label"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in questionnaire.items():
        scale = questionnaire.scales[item.scale]
        answers = f"several, separated by '{SEPARATOR}'" if scale.kind == "multiple" else "one"
        for option in scale.options:
            sheet.append([item.key, translate(item.text, DEFAULT_LANGUAGE),
                          "yes" if item.required else "no", answers, option.code,
                          translate(option.label, DEFAULT_LANGUAGE)])
    sheet.append([LOCALE_COLUMN, "Language the answers were given in (blank: en)", "no", "one",
                  "", ""])
    sheet.append([SUBMITTED_ON_COLUMN, "Day of submission, YYYY-MM-DD (blank: the import day)",
                  "no", "one", "", ""])
    for letter, width in zip("ABCDEF", (20, 60, 9, 24, 20, 36), strict=True):
        sheet.column_dimensions[letter].width = width
