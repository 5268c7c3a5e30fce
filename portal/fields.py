"""Form fields in the GOV.UK patterns (the date input: day, month, year)."""

from __future__ import annotations

from datetime import date

from django import forms


class GovDateWidget(forms.MultiWidget):
    govuk_date = True

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]


class GovDateField(forms.Field):
    """A date from three boxes, with the GOV.UK error messages."""

    widget = GovDateWidget

    def __init__(self, *, label_lower: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.label_lower = label_lower

    def _name(self) -> str:
        return self.label_lower or (str(self.label).lower() if self.label else "the date")

    def to_python(self, value):
        if not value or not any(value):
            if self.required:
                raise forms.ValidationError(f"Enter {self._name()}")
            return None
        day, month, year = value
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(f"{self._name().capitalize()} must include a {' and '.join(missing)}")
        real = f"{self._name().capitalize()} must be a real date"
        # NOTE: a part too long to be a day, month or year is refused before int(): "1" * 22 is a valid int,
        # but date() raises OverflowError for it, and a 5,000-digit one makes int() itself refuse.
        if any(len(part.lstrip("0")) > size for part, size in ((day, 2), (month, 2), (year, 4))):
            raise forms.ValidationError(real)
        try:
            d, m, y = int(day), int(month), int(year)
        except ValueError:
            raise forms.ValidationError(real)
        if y < 1000:
            raise forms.ValidationError("Year must include 4 numbers")
        try:
            return date(y, m, d)
        except (ValueError, OverflowError):
            raise forms.ValidationError(real)

    def validate(self, value):
        pass

    def bound_data(self, data, initial):
        return data
