from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.forms import StyledForm
from core.models import Region
from customers.choices import Gender, IdType, RevealPurpose
from customers.policies import REVEAL_NOTE_MAX
from customers.models import Brand, Channel, Plan
from customers.services import ContactData, OnboardingData


class OnboardingForm(StyledForm):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label=_("ID number"), max_length=32)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—")] + Gender.choices, required=False)
    msisdn = forms.CharField(label=_("Mobile number"), max_length=11)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all())
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.all())
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.select_related("brand"))
    acquiring_channel = forms.ModelChoiceField(label=_("Acquiring channel"),
                                               queryset=Channel.objects.filter(kind="outlet"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=50, required=False)
    workplace = forms.CharField(label=_("Workplace"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("Related contact name"), max_length=50, required=False)
    contact_relation = forms.CharField(label=_("Relation"), max_length=20, required=False)
    contact_msisdn = forms.CharField(label=_("Related contact number"), max_length=11, required=False)
    policy_explained = forms.BooleanField(label=_("Tariff and credit policy explained to the customer"),
                                          required=False)

    def onboarding_data(self) -> OnboardingData:
        """The onboarding service's input from the cleaned form."""
        d = self.cleaned_data
        contacts = []
        if d.get("contact_msisdn"):
            contacts.append(ContactData(d["contact_name"], d["contact_relation"], d["contact_msisdn"]))
        return OnboardingData(
            name=d["name"], id_type=d["id_type"], id_number=d["id_number"], region=d["region"], brand=d["brand"],
            plan=d["plan"], msisdn=d["msisdn"], acquiring_channel=d["acquiring_channel"],
            policy_explained=d["policy_explained"], gender=d.get("gender", ""), address=d.get("address", ""),
            occupation=d.get("occupation", ""), workplace=d.get("workplace", ""), related_contacts=contacts,
        )


class RevealForm(StyledForm):
    """Why the full ID number and address are needed; stored with the reveal."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", "—")] + RevealPurpose.choices)
    purpose_note = forms.CharField(label=_("Note"), max_length=REVEAL_NOTE_MAX)
