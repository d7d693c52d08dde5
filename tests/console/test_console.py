"""The operator console in a real browser (headless Chromium) against a local 3-node cluster:
an approver on node 2 approves an approval that a decision created on node 1 and the agent's
retry is allowed; a viewer cannot approve; the simulator shows the trace of a denied call; a
policy upload with an error shows the error at its line; the diff page shows a widened domain.
Screenshots of each page (desktop and 360 px wide) go to $CONSOLE_SCREENSHOTS.
"""

import os
import time

from conftest import SHOTS, WAIT
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

OUTSIDE = {"recipient": "eve@outside.example", "subject": "Quote", "body": "Hello"}
WIDENED_DOMAIN = "api.partner.example"


def wait(browser, condition, seconds=WAIT):
    return WebDriverWait(browser, seconds, poll_frequency=0.2).until(condition)


def sign_in(browser, cluster, node, who):
    """Signs out whoever is signed in, then signs in with `who`'s token on `node`."""
    browser.delete_all_cookies()
    browser.get(cluster.url(node, "/console/login"))
    field = wait(browser, shown.visibility_of_element_located((By.ID, "token")))
    field.send_keys(cluster.token(who))
    browser.find_element(By.CSS_SELECTOR, "form[action='/console/login'] button").click()
    wait(browser, shown.url_to_be(cluster.url(node, "/console")))


def screenshot(browser, name, narrow=False):
    """The page as a PNG (its whole height, at most 2400 px), 1280 px or 360 px wide."""
    width = 360 if narrow else 1280
    browser.set_window_size(width, 900)
    time.sleep(0.2)
    # The window's height includes the browser's own frame: add it, so the page fits whole.
    frame = browser.execute_script("return window.outerHeight - window.innerHeight") or 0
    height = min(2400, (browser.execute_script("return document.documentElement.scrollHeight") or 800) + frame)
    browser.set_window_size(width, height)
    time.sleep(0.2)
    browser.save_screenshot(os.path.join(SHOTS, f"{name}{'-360' if narrow else ''}.png"))
    browser.set_window_size(1280, 900)


def test_approver_on_node_2_approves_what_node_1_asked(browser, cluster):
    sign_in(browser, cluster, 2, "approver")
    browser.get(cluster.url(2, "/console/approvals"))
    status, asked = cluster.decide(1, "console-browser-1", "email.send", OUTSIDE)
    assert status == 200 and asked["decision"] == "needs_approval", asked
    row_id = f"approval-{asked['approval_id']}"
    # The queue updates itself: no reload.
    row = wait(browser, shown.presence_of_element_located((By.ID, row_id)))
    assert "email.send" in row.text and "eve@outside.example" not in row.text, row.text
    screenshot(browser, "approvals")
    screenshot(browser, "approvals", narrow=True)
    row = browser.find_element(By.ID, row_id)
    row.find_element(By.NAME, "comment").send_keys("fine, one quote")
    row.find_element(By.CSS_SELECTOR, "button[value='approve']").click()
    wait(browser, shown.text_to_be_present_in_element((By.CSS_SELECTOR, "p.ok"), "approved"))
    status, retried = cluster.decide(3, "console-browser-2", "email.send", OUTSIDE)
    assert status == 200 and retried["decision"] == "allow", retried
    browser.get(cluster.url(2, "/console/approvals?tab=history"))
    history = wait(browser, shown.presence_of_element_located((By.ID, row_id)))
    assert "fine, one quote" in history.text
    browser.get(cluster.url(2, "/console"))
    wait(browser, shown.presence_of_element_located((By.CSS_SELECTOR, "svg[role=img]")))
    screenshot(browser, "dashboard")
    screenshot(browser, "dashboard", narrow=True)


def test_a_viewer_cannot_approve(browser, cluster):
    status, asked = cluster.decide(1, "console-browser-3", "email.send", dict(OUTSIDE, subject="Other"))
    assert status == 200 and asked["decision"] == "needs_approval", asked
    sign_in(browser, cluster, 3, "viewer")
    browser.get(cluster.url(3, "/console/approvals"))
    row = wait(browser, shown.presence_of_element_located((By.ID, f"approval-{asked['approval_id']}")))
    assert "approvers only" in row.text
    assert not row.find_elements(By.TAG_NAME, "button"), "a viewer gets no vote button"
    status, approval = cluster.call(1, "GET", f"/v1/approvals/{asked['approval_id']}",
                                    headers={"Authorization": f"Bearer {cluster.token('viewer')}"})
    assert approval["status"] == "pending"


def test_the_simulator_shows_the_trace_of_a_denied_call(browser, cluster):
    sign_in(browser, cluster, 1, "approver")
    browser.get(cluster.url(1, "/console/simulate"))
    Select(wait(browser, shown.presence_of_element_located((By.ID, "agent")))).select_by_value("sales_assistant")
    browser.find_element(By.ID, "tool").send_keys("payments.charge")
    params = browser.find_element(By.ID, "params")
    params.clear()
    params.send_keys('{"amount": 120, "currency": "USD"}')
    browser.find_element(By.CSS_SELECTOR, "form[action='/console/simulate'] button[type=submit]").click()
    decision = wait(browser, shown.presence_of_element_located((By.ID, "decision")))
    assert decision.text == "deny"
    steps = browser.find_elements(By.CSS_SELECTOR, "#trace tbody tr")
    assert len(steps) >= 1 and any("payments.*" in step.text for step in steps), [s.text for s in steps]
    screenshot(browser, "simulate")


def test_an_upload_with_an_error_shows_it_at_its_line(browser, cluster):
    sign_in(browser, cluster, 2, "admin")
    browser.get(cluster.url(2, "/console/policies/sales_assistant"))
    screenshot(browser, "policies")
    text = 'agent: "sales_assistant"\ntools:\n  allow: ["crm.read"]\n  alow: ["email.send"]\n'
    textarea = wait(browser, shown.presence_of_element_located((By.ID, "yaml")))
    browser.execute_script("arguments[0].value = arguments[1]", textarea, text)
    browser.find_element(By.CSS_SELECTOR, "form[action$='/upload'] button[type=submit]").click()
    bad = wait(browser, shown.presence_of_element_located((By.CSS_SELECTOR, "li#line-4.bad")))
    assert "alow" in bad.text
    assert "line 4" in browser.find_element(By.ID, "problems").text
    screenshot(browser, "upload-error")


def test_the_diff_shows_a_widened_domain(browser, cluster):
    sign_in(browser, cluster, 1, "admin")
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "policies", "examples", "sales_agent.yaml")) as f:
        original = f.read()
    widened = original.replace('"outlook.office365.com"]', f'"outlook.office365.com", "{WIDENED_DOMAIN}"]')
    assert widened != original
    browser.get(cluster.url(1, "/console/policies/sales_assistant"))
    textarea = wait(browser, shown.presence_of_element_located((By.ID, "yaml")))
    browser.execute_script("arguments[0].value = arguments[1]", textarea, widened)
    Select(browser.find_element(By.ID, "mode")).select_by_value("shadow")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/upload'] button[type=submit]").click()
    wait(browser, shown.text_to_be_present_in_element((By.CSS_SELECTOR, "p.ok"), "published"))
    # The last change is the default pair: follow its link.
    browser.find_element(By.PARTIAL_LINK_TEXT, "the last change").click()
    widens = wait(browser, shown.presence_of_element_located((By.ID, "widens")))
    assert "widens" in widens.text
    assert WIDENED_DOMAIN in browser.find_element(By.ID, "changes").text
    added = browser.find_elements(By.CSS_SELECTOR, ".side li.add")
    assert any(WIDENED_DOMAIN in line.text for line in added)
    screenshot(browser, "diff")
    screenshot(browser, "diff", narrow=True)
    for page in ["audit", "cluster"]:
        browser.get(cluster.url(1, f"/console/{page}"))
        wait(browser, shown.presence_of_element_located((By.TAG_NAME, "h1")))
        screenshot(browser, page)
