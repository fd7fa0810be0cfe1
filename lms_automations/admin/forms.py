"""Forms of the staff actions (start learners, advance waiting learners, replay, delete)."""
from django import forms
from django.utils.translation import gettext_lazy

from .staff_actions import MAX_LEARNERS, split_identifiers


class StartLearnersForm(forms.Form):
    everyone = forms.BooleanField(
        required=False, label="Everyone enrolled",
        help_text=gettext_lazy("Every learner actively enrolled in the automation's scope courses, however many: "
                               "the preview counts them, and background workers start them in batches."))
    learners = forms.CharField(
        label="Learners", required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 60, "placeholder": "ada\ngrace@example.com"}),
        help_text=f"Or usernames or e-mail addresses, one per line (at most {MAX_LEARNERS} at once).",
    )

    def clean_learners(self):
        identifiers = split_identifiers(self.cleaned_data["learners"])
        if not identifiers and not self.data.get("everyone"):
            raise forms.ValidationError("List at least one username or e-mail address, or tick “Everyone enrolled”.")
        if len(identifiers) > MAX_LEARNERS:
            raise forms.ValidationError(
                f"At most {MAX_LEARNERS} learners at once (you listed {len(identifiers)}); split the list.")
        return identifiers


class WaitStepForm(forms.Form):
    """A wait step that holds learners; ``waiting`` is ``[(step, count)]`` from ``waiting_counts``."""

    step_id = forms.ChoiceField(label="Wait step", widget=forms.RadioSelect)

    def __init__(self, *args, waiting=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step_id"].choices = [
            (step.step_id, f"{step.step_id} — {count} waiting") for step, count in waiting if count
        ]


class ReplayForm(forms.Form):
    from_step = forms.ChoiceField(
        label="Replay from step",
        help_text="The learner goes through this step and every step after it again.",
    )

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_step"].choices = list(steps)


class DeleteModeForm(forms.Form):
    """The SPEC §5.10 question, asked when learners are still in the flow."""

    mode = forms.ChoiceField(
        label="Learners still in the flow",
        widget=forms.RadioSelect,
        choices=[
            ("finish", "Let learners finish: the automation becomes read-only (finishing), starts nobody new, "
                       "and is removed after the last learner's run ends."),
            ("remove", "Remove learners now: their runs are cancelled and the automation is deleted at once."),
        ],
    )
