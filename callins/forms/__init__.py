"""Input validation for the PCC's powers' pages, with GOV.UK error messages (one module a topic). The limits are
callins/limits.py's (portal/text.py words them); the services check them again."""

from .appointments import (  # noqa: F401
    AppointmentFilterForm,
    AppointmentForm,
    AppointmentWithdrawForm,
    ConsultForm,
    ShortlistForm,
    ViewForm,
)
from .callins import (  # noqa: F401
    CallInFilterForm,
    CallInForm,
    DetermineForm,
    DocumentForm,
    GroundForm,
    ResponseForm,
    SubmitForm,
    WithdrawForm,
)
from .common import ConfirmForm, MoneyField  # noqa: F401
from .decisions import DecisionFilterForm, DecisionForm, OutcomeForm, TakeEffectForm, WaiveForm  # noqa: F401
from .pcc_decisions import PccDecisionFilterForm, PccDecisionForm, SignForm  # noqa: F401
