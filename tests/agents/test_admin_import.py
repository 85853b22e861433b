"""Importing groups and agents in the admin: preview, all or nothing, bad lines explained."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agents.models import Agent, AgentGroup

CSV_FORMAT = "0"
AGENTS_HEADER = "username,first_name,last_name,email,group,status_codes_enabled,language\n"


def preview(client, model: str, content: str):
    return client.post(
        reverse(f"admin:agents_{model}_import"),
        {
            "resource": "0",
            "format": CSV_FORMAT,
            "import_file": SimpleUploadedFile("file.csv", content.encode(), "text/csv"),
        },
    )


def test_agents_file_with_an_unknown_group_imports_nobody(support_group, client_for, administrator):
    content = (
        AGENTS_HEADER
        + "lea,Lea,Lopez,lea@example.com,Support Tier 1,true,es\n"
        + "max,Max,Moor,max@example.com,Night shift,true,en\n"
    )

    response = preview(client_for(administrator), "agent", content)

    page = response.content.decode()
    assert "confirm_form" not in response.context
    assert '<td class="import-line">3</td>' in page
    assert "Night shift" in page
    assert not Agent.objects.exists()


def test_agents_file_previews_then_confirms(support_group, client_for, administrator):
    client = client_for(administrator)
    content = AGENTS_HEADER + "lea,Lea,Lopez,lea@example.com,Support Tier 1,false,es\n"

    confirm = preview(client, "agent", content).context["confirm_form"].initial
    response = client.post(reverse("admin:agents_agent_process_import"), confirm, follow=True)

    assert "Import finished: 1 new" in response.content.decode()
    lea = Agent.objects.get(user__username="lea")
    assert (lea.group, lea.status_codes_enabled, lea.language) == (support_group, False, "es")


def test_groups_file_previews_then_confirms(support_list, supervisor_a, client_for, administrator):
    client = client_for(administrator)
    content = "name,code_list,supervisors\nNight shift,Support,supervisor_a\n"

    confirm = preview(client, "agentgroup", content).context["confirm_form"].initial
    assert (
        client.post(reverse("admin:agents_agentgroup_process_import"), confirm).status_code == 302
    )

    night = AgentGroup.objects.get(name="Night shift")
    assert night.code_list == support_list
    assert list(night.supervisors.values_list("username", flat=True)) == ["supervisor_a"]


def test_groups_file_with_an_unknown_supervisor_imports_nothing(
    support_list, client_for, administrator
):
    content = "name,code_list,supervisors\nNight shift,Support,nobody\n"

    response = preview(client_for(administrator), "agentgroup", content)

    assert "nobody" in response.content.decode()
    assert "confirm_form" not in response.context
    assert not AgentGroup.objects.exists()
