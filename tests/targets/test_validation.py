"""Every rule of the data return checks: one test each, naming the row, the column and the message."""

from __future__ import annotations

from datetime import date

import pytest

from targets.validation import read_return_file, validate_frame
from tests.factories import HEADER, observe

from .conftest import BIRMINGHAM, COVENTRY, FORCE

TODAY = date(2026, 1, 15)


@pytest.fixture
def check(tmp_path, police):
    """Write rows to a CSV file, read it as an upload is read, and check it for a partner."""

    def run(*rows, header=HEADER, partner=None, today=TODAY):
        path = tmp_path / "return.csv"
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return validate_frame(read_return_file(path, "csv"), partner=partner or police, today=today)

    return run


def only_error(report) -> dict:
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


def test_a_clean_row_passes_and_counts_as_new(check, sv):
    report = check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,120,100000,,,")
    assert report.ok, report.errors
    assert report.changes == {"new": 1, "revised": 0, "unchanged": 0}
    assert report.row_count == 1


def test_it_names_a_missing_required_column(check, sv):
    report = check(
        f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30", header="indicator_code,area_code,period_start,period_end"
    )
    error = only_error(report)
    assert (error["row"], error["column"], error["message"]) == (1, "value", "The column value is missing")
    assert "Add a column headed value" in error["fix"]


def test_it_warns_about_a_column_it_does_not_use(check, sv):
    report = check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,,,,,,note", header=HEADER + ",comments")
    assert report.ok
    assert report.warnings[0]["column"] == "comments"
    assert report.warnings[0]["message"] == "The column comments is not used and will be ignored"


def test_it_refuses_a_file_with_no_rows(check, sv):
    error = only_error(check())
    assert (error["row"], error["message"]) == (2, "There are no rows of data")


def test_it_asks_for_a_missing_indicator_code(check, sv):
    error = only_error(check(f",{BIRMINGHAM},2025-04-01,2025-04-30,1.2,,,,,"))
    assert (error["row"], error["column"], error["message"]) == (2, "indicator_code", "Enter the indicator code")


def test_it_refuses_an_indicator_the_partner_does_not_provide(check, sv, reoffending):
    error = only_error(check(f"REOFF,{FORCE},2025-04-01,2025-06-30,25,,,,,"))
    assert (error["row"], error["column"]) == (2, "indicator_code")
    assert error["message"] == "REOFF is not an indicator your organisation provides"
    assert "SV-1000" in error["fix"]


def test_it_refuses_an_unknown_area_code(check, sv):
    error = only_error(check("SV-1000,E09999999,2025-04-01,2025-04-30,1.2,,,,,"))
    assert (error["row"], error["column"], error["message"]) == (
        2,
        "area_code",
        "E09999999 is not an area code we know",
    )


def test_it_refuses_an_area_at_the_wrong_level(check, homicides):
    error = only_error(check(f"HOM,{BIRMINGHAM},2025-04-01,2025-04-30,3,,,,,"))
    assert (error["row"], error["column"]) == (2, "area_code")
    assert error["message"] == f"{BIRMINGHAM} is a local authority, but HOM is reported by police force area"


def test_a_local_authority_indicator_also_takes_the_force_area_total(check, sv):
    assert check(f"SV-1000,{FORCE},2025-04-01,2025-04-30,1.2,,,,,").ok


def test_it_refuses_a_date_in_another_format(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},01/04/2025,2025-04-30,1.2,,,,,"))
    assert (error["row"], error["column"]) == (2, "period_start")
    assert error["message"] == "01/04/2025 is not a date in the format YYYY-MM-DD"


def test_a_monthly_period_must_start_on_the_first(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2025-04-02,2025-04-30,1.2,,,,,"))
    assert (error["row"], error["column"]) == (2, "period_start")
    assert error["message"] == "2025-04-02 is not the start of a calendar month, and SV-1000 is monthly"


def test_a_monthly_period_must_end_on_the_last_day_of_the_month(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-05-31,1.2,,,,,"))
    assert (error["row"], error["column"]) == (2, "period_end")
    assert error["message"] == "2025-05-31 does not end the calendar month that starts on 2025-04-01"
    assert error["fix"] == "End the period on 2025-04-30"


def test_a_quarterly_period_must_be_a_calendar_quarter(check, reoffending, probation):
    error = only_error(check(f"REOFF,{FORCE},2025-02-01,2025-04-30,25,,,,,", partner=probation))
    assert (error["row"], error["column"]) == (2, "period_start")
    assert "is not the start of a calendar quarter" in error["message"]
    assert check(f"REOFF,{FORCE},2025-04-01,2025-06-30,25,,,,,", partner=probation).ok


def test_an_annual_period_is_a_financial_year(check, juvenile, probation):
    assert check(f"REOFF-JUV,{FORCE},2024-04-01,2025-03-31,30,,,,,", partner=probation).ok
    error = only_error(check(f"REOFF-JUV,{FORCE},2024-01-01,2024-12-31,30,,,,,", partner=probation))
    assert (error["row"], error["column"]) == (2, "period_start")
    assert "financial year (1 April to 31 March)" in error["message"]


def test_it_refuses_a_period_that_has_not_ended(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2026-01-01,2026-01-31,1.2,,,,,"))
    assert (error["row"], error["column"]) == (2, "period_end")
    assert error["message"] == "The period ending 2026-01-31 has not ended yet"


def test_it_asks_for_a_missing_value(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,,,,,,"))
    assert (error["row"], error["column"], error["message"]) == (2, "value", "Enter the value")


def test_it_refuses_a_value_that_is_not_a_number(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2%,,,,,"))
    assert (error["row"], error["column"], error["message"]) == (2, "value", "1.2% is not a number")


def test_a_count_cannot_be_negative(check, homicides):
    error = only_error(check(f"HOM,{FORCE},2025-04-01,2025-04-30,-1,,,,,"))
    assert (error["row"], error["column"], error["message"]) == (2, "value", "A count cannot be negative")


def test_a_count_must_be_whole(check, homicides):
    error = only_error(check(f"HOM,{FORCE},2025-04-01,2025-04-30,2.5,,,,,"))
    assert (error["row"], error["column"], error["message"]) == (2, "value", "A count must be a whole number")


def test_a_percentage_cannot_exceed_100(check, reoffending, probation):
    error = only_error(check(f"REOFF,{FORCE},2025-04-01,2025-06-30,101,,,,,", partner=probation))
    assert (error["row"], error["column"], error["message"]) == (2, "value", "101 is more than 100%")


def test_a_rate_must_match_its_numerator_and_denominator(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.5,120,100000,,,"))
    assert (error["row"], error["column"]) == (2, "value")
    assert error["message"] == "1.5 does not match numerator ÷ denominator × 1,000 = 1.2"


def test_a_rate_within_half_a_percent_passes(check, sv):
    assert check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.205,120,100000,,,").ok


def test_a_numerator_needs_a_denominator(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,120,,,,"))
    assert (error["row"], error["column"]) == (2, "denominator")
    assert error["message"] == "Enter the denominator as well as the numerator"


def test_a_denominator_cannot_be_zero(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,0,0,0,,,"))
    assert (error["row"], error["column"], error["message"]) == (2, "denominator", "The denominator cannot be 0")


def test_counts_take_no_numerator_or_denominator(check, homicides):
    error = only_error(check(f"HOM,{FORCE},2025-04-01,2025-04-30,3,3,1,,,"))
    assert (error["row"], error["column"]) == (2, "numerator")
    assert error["message"] == "Numerator and denominator are only used for rates and percentages"


def test_a_breakdown_value_must_be_in_the_allowed_list(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,,,,F,"))
    assert (error["row"], error["column"], error["message"]) == (2, "sex", "F is not an allowed sex")
    assert error["fix"] == "Use one of: Female, Male"


def test_breakdown_values_are_matched_without_regard_to_case(check, sv):
    report = check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,,,,female,black")
    assert report.ok
    assert report.clean["breakdown_key"].tolist() == ["sex=Female;ethnicity=Black"]


def test_only_the_indicators_breakdowns_are_allowed(check, sv):
    error = only_error(check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,,,15-17,,"))
    assert (error["row"], error["column"]) == (2, "age_band")
    assert error["message"] == "SV-1000 is not broken down by age band"


def test_it_refuses_a_row_repeated_in_the_file(check, sv):
    error = only_error(
        check(
            f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,,,,,",
            f"SV-1000,{COVENTRY},2025-04-01,2025-04-30,1.2,,,,,",
            f"sv-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.3,,,,,",
        )
    )
    assert (error["row"], error["column"]) == (4, "indicator_code")
    assert error["message"] == "This row repeats row 2: same indicator, area, period and breakdown"


def test_a_value_five_times_the_latest_figure_is_a_warning_not_an_error(check, sv, areas):
    observe(sv, areas[BIRMINGHAM], date(2025, 3, 1), date(2025, 3, 31), "1.0")
    report = check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,6.0,,,,,")
    assert report.ok
    assert [(w["row"], w["column"]) for w in report.warnings] == [(2, "value")]
    assert report.warnings[0]["message"].startswith("6 is more than 5 times the latest figure we hold (1 for")


def test_it_counts_new_revised_and_unchanged_figures(check, sv, areas):
    observe(sv, areas[BIRMINGHAM], date(2025, 4, 1), date(2025, 4, 30), "1.2")
    observe(sv, areas[COVENTRY], date(2025, 4, 1), date(2025, 4, 30), "1.0")
    report = check(
        f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2000,,,,,",
        f"SV-1000,{COVENTRY},2025-04-01,2025-04-30,1.1,,,,,",
        f"SV-1000,{FORCE},2025-04-01,2025-04-30,1.1,,,,,",
    )
    assert report.ok
    assert report.changes == {"new": 1, "revised": 1, "unchanged": 1}


def test_row_numbers_match_the_spreadsheet_when_rows_are_blank(check, sv):
    report = check(
        f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,,,,,",
        "",
        ",,,,,,,,,",
        f"SV-1000,{BIRMINGHAM},2025-05-01,2025-05-31,abc,,,,,",
    )
    error = only_error(report)
    assert error["row"] == 5
    assert report.row_count == 2


def test_every_error_in_a_row_is_reported(check, sv):
    report = check("SV-1000,E09999999,2025-04-02,2025-04-30,x,,,,,")
    assert [e["column"] for e in report.errors] == ["area_code", "period_start", "value"]
    assert all({"row", "column", "message", "fix"} <= set(e) for e in report.errors)


def test_an_xlsx_return_with_real_date_cells_is_read(tmp_path, police, sv):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["SV-1000", BIRMINGHAM, date(2025, 4, 1), date(2025, 4, 30), 1.2, 120, 100000])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    report = validate_frame(read_return_file(path, "xlsx"), partner=police, today=TODAY)
    assert report.ok, report.errors
    assert report.clean["period_start"].tolist() == [date(2025, 4, 1)]


# --- Numbers must fit what the database holds --------------------------------------------------------
@pytest.mark.parametrize(
    "column,row",
    [
        ("numerator", f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1,1e20,1e20,,,"),
        ("denominator", f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1,100000000000000,100000000000000000,,,"),
        ("numerator", f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1,1e300,1e300,,,"),
    ],
)
def test_a_numerator_or_denominator_too_large_to_store_is_refused(check, sv, column, row):
    report = check(row)
    assert not report.ok
    error = next(e for e in report.errors if e["column"] == column)
    assert error["row"] == 2
    assert error["message"].endswith(f"is too large: the {column} must be less than 100,000,000,000,000")


def test_a_value_too_large_to_store_is_refused(check, homicides):
    error = only_error(check(f"HOM,{FORCE},2025-04-01,2025-04-30,1e300,,,,,"))
    assert (error["row"], error["column"]) == (2, "value")
    assert error["message"] == "1e300 is too large: the value must be less than 100,000,000,000,000"


def test_the_largest_figure_that_fits_passes(check, homicides):
    assert check(f"HOM,{FORCE},2025-04-01,2025-04-30,99999999999999,,,,,").ok


def test_more_than_four_decimal_places_is_stored_rounded_with_a_warning(check, sv):
    report = check(
        f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.23456,,,,,",
        f"SV-1000,{COVENTRY},2025-04-01,2025-04-30,1.20000,,,,,",
    )
    assert report.ok
    assert [(w["row"], w["column"], w["message"]) for w in report.warnings] == [
        (2, "value", "1.23456 has more than 4 decimal places: we will store 1.2346")
    ]


# --- The template's example rows ---------------------------------------------------------------------
EXAMPLE_HEADER = HEADER + ",example"


def test_an_example_row_left_as_it_was_is_refused(check, homicides):
    error = only_error(check(f"HOM,{FORCE},2025-04-01,2025-04-30,12,,,,,,example", header=EXAMPLE_HEADER))
    assert (error["row"], error["column"], error["message"]) == (2, "", "Row 2 is the template's example: delete it")


def test_an_example_row_typed_over_is_taken_whatever_its_mark(check, homicides, sv):
    report = check(
        f"HOM,{FORCE},2025-04-01,2025-04-30,4,,,,,,example",
        f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,120,100000,,,,Example",
        header=EXAMPLE_HEADER,
    )
    assert report.ok, report.errors
    assert report.warnings == []  # the example column is the template's own: not "not used"


def test_a_rate_example_is_the_example_only_with_its_numerator_and_denominator(check, sv):
    refused = check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,2.5,250,100000,,,,example", header=EXAMPLE_HEADER)
    assert [e["message"] for e in refused.errors] == ["Row 2 is the template's example: delete it"]
    report = check(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,2.5,500,200000,,,,example", header=EXAMPLE_HEADER)
    assert report.ok
    assert [w["message"] for w in report.warnings] == ["2.5 is the value in the template's example row for SV-1000"]


def test_a_value_equal_to_the_example_is_a_warning(check, homicides):
    report = check(f"HOM,{FORCE},2025-04-01,2025-04-30,12,,,,,")
    assert report.ok
    assert [(w["row"], w["column"], w["message"]) for w in report.warnings] == [
        (2, "value", "12 is the value in the template's example row for HOM")
    ]


# --- Spreadsheets ----------------------------------------------------------------------------------
def test_numbers_and_dates_typed_in_excel_cells_are_read_as_typed(tmp_path, police, sv, homicides):
    from datetime import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["SV-1000", BIRMINGHAM, datetime(2025, 4, 1), datetime(2025, 4, 30), 1.2, 120, 100000.0])
    sheet.append(["HOM", FORCE, date(2025, 4, 1), "2025-04-30", 7.0])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    frame = read_return_file(path, "xlsx")
    assert frame.loc[2, ["period_start", "value", "numerator", "denominator"]].tolist() == [
        "2025-04-01",
        "1.2",
        "120",
        "100000",
    ]
    assert frame.loc[3, "value"] == "7"
    report = validate_frame(frame, partner=police, today=TODAY)
    assert report.ok, report.errors


def test_a_cell_far_to_the_right_does_not_widen_every_row(tmp_path, police, sv):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["SV-1000", BIRMINGHAM, "2025-04-01", "2025-04-30", 1.2])
    sheet["XFD2"] = "far away"
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    frame = read_return_file(path, "xlsx")
    assert list(frame.columns) == HEADER.split(",")
    assert validate_frame(frame, partner=police, today=TODAY).ok
