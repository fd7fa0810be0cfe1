"""The flow view shows who stands where now and how runs ended, with links to those runs."""
import re

import pytest

from lms_automations import api
from lms_automations.models import Run

from .conftest import automation_url

pytestmark = pytest.mark.django_db


def test_the_flow_counts_learners_per_step_and_outcomes(admin_client, automation, learners):
    ada, grace, alan = learners
    api.start_learners(automation, [ada, grace, alan])  # all three now wait at "wait"
    api.cancel(Run.objects.get(user=alan))
    html = admin_client.get(automation_url(automation, "change/?classic=1")).content.decode()
    flow = html[html.index('class="lmsauto-flow"'):]
    summary = re.search(r'Learners: <a href="([^"]+)">2 in the flow</a> · <a [^>]*>1 cancelled</a>', flow)
    assert summary
    in_flow = admin_client.get(summary.group(1).replace("&amp;", "&")).content.decode()
    assert in_flow.count('<td class="field-status">Pending</td>') == 2
    waiting = re.search(r'<strong>wait</strong> — wait <code>duration</code> <a class="lmsauto-here" '
                        r'href="([^"]+)">2 waiting</a>', flow)
    assert waiting, flow[:1500]
    response = admin_client.get(waiting.group(1).replace("&amp;", "&"))
    listed = response.content.decode()
    assert response.status_code == 200
    assert listed.count('<td class="field-status">Pending</td>') == 2 and "Cancelled</td>" not in listed


def test_an_automation_nobody_entered_says_so(admin_client, automation):
    html = admin_client.get(automation_url(automation, "change/?classic=1")).content.decode()
    assert "Learners: <a" in html and ">0 in the flow</a>" in html
