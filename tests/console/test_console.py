"""The operator console in a real browser (headless Chromium) against a local 3-node cluster:
an approver on node 2 approves an approval that a decision created on node 1 and the agent's
retry is allowed; a viewer cannot approve; the simulator shows the trace of a denied call; a
policy upload with an error shows the error at its line; the diff page shows a widened domain;
the live queue keeps the focus and a typed comment while approvals arrive; sign-out ends the
session on every node. Screenshots of each page (desktop and 360 px wide) go to $CONSOLE_SCREENSHOTS.
"""

import os
import time

from conftest import SHOTS, WAIT
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

OUTSIDE = {"recipient": "eve@outside.example", "subject": "Quote", "body": "Hello"}
WIDENED_DOMAIN = "api.partner.example"


def wait(browser, condition, seconds=WAIT):
    """Until `condition` holds (bounded); an element found but replaced meanwhile is looked up again."""
    return WebDriverWait(browser, seconds, poll_frequency=0.2,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(condition)


def text_of(browser, element_id):
    """The element's text, found again at each poll (the live queue may replace it)."""
    return wait(browser, lambda d: d.find_element(By.ID, element_id).text)


def sign_in(browser, cluster, node, who, shot=None):
    """Signs out whoever is signed in, then signs in with `who`'s token on `node`."""
    browser.delete_all_cookies()
    browser.get(cluster.url(node, "/console/login"))
    field = wait(browser, shown.visibility_of_element_located((By.ID, "token")))
    if shot:
        screenshot(browser, shot)
        screenshot(browser, shot, narrow=True)
        field = browser.find_element(By.ID, "token")
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
    text = wait(browser, lambda d: d.find_element(By.ID, row_id).text)
    assert "email.send" in text and "eve@outside.example" not in text, text
    screenshot(browser, "approvals")
    screenshot(browser, "approvals", narrow=True)
    # Typing a comment holds the queue still, so these handles stay the page's own.
    comment = wait(browser, lambda d: d.find_element(By.ID, f"comment-{asked['approval_id']}"))
    comment.send_keys("fine, one quote")
    browser.find_element(By.CSS_SELECTOR, f"#{row_id} button[value='approve']").click()
    wait(browser, shown.text_to_be_present_in_element((By.CSS_SELECTOR, "p.ok"), "approved"))
    status, retried = cluster.decide(3, "console-browser-2", "email.send", OUTSIDE)
    assert status == 200 and retried["decision"] == "allow", retried
    browser.get(cluster.url(2, "/console/approvals?tab=history"))
    assert "fine, one quote" in text_of(browser, row_id)
    browser.get(cluster.url(2, "/console"))
    wait(browser, shown.presence_of_element_located((By.CSS_SELECTOR, "svg[role=img]")))
    screenshot(browser, "dashboard")
    screenshot(browser, "dashboard", narrow=True)


def test_a_viewer_cannot_approve(browser, cluster):
    status, asked = cluster.decide(1, "console-browser-3", "email.send", dict(OUTSIDE, subject="Other"))
    assert status == 200 and asked["decision"] == "needs_approval", asked
    sign_in(browser, cluster, 3, "viewer")
    browser.get(cluster.url(3, "/console/approvals"))
    row_id = f"approval-{asked['approval_id']}"
    assert "approvers only" in text_of(browser, row_id)
    buttons = wait(browser, lambda d: (d.find_element(By.ID, row_id).find_elements(By.TAG_NAME, "button"),))[0]
    assert not buttons, "a viewer gets no vote button"
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


def test_the_queue_keeps_focus_and_a_comment_while_approvals_arrive(browser, cluster):
    """Keyboard use of the live queue: an approval arriving while the operator is in a row's
    form neither moves the focus nor drops the typed comment; leaving the queue lets it update."""
    sign_in(browser, cluster, 2, "approver")
    status, asked = cluster.decide(1, "console-browser-focus-1", "email.send", dict(OUTSIDE, subject="Focus"))
    assert status == 200 and asked["decision"] == "needs_approval", asked
    browser.get(cluster.url(2, "/console/approvals"))
    comment = wait(browser, lambda d: d.find_element(By.ID, f"comment-{asked['approval_id']}"))
    comment.send_keys("checking the quote", Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("value") == "approve"
    status, other = cluster.decide(3, "console-browser-focus-2", "email.send", dict(OUTSIDE, subject="Focus 2"))
    assert status == 200 and other["decision"] == "needs_approval", other
    time.sleep(4.5)  # two polls, and four redraws of the ages
    focused = browser.switch_to.active_element
    assert focused.get_attribute("value") == "approve", focused.get_attribute("outerHTML")
    assert browser.execute_script("return arguments[0].closest('tr').id", focused) == f"approval-{asked['approval_id']}"
    assert browser.find_element(By.ID, f"comment-{asked['approval_id']}").get_attribute("value") == "checking the quote"
    assert not browser.find_elements(By.ID, f"approval-{other['approval_id']}"), "no swap while the operator is in it"
    # Leaving the queue (focus out, comment emptied) lets the new approval in, announced.
    browser.execute_script("document.getElementById(arguments[0]).value = ''; document.activeElement.blur()",
                           f"comment-{asked['approval_id']}")
    wait(browser, lambda d: d.find_element(By.ID, f"approval-{other['approval_id']}"))
    assert "pending" in text_of(browser, "queue-status")


def test_sign_out_ends_the_session_on_every_node(browser, cluster):
    sign_in(browser, cluster, 1, "viewer", shot="sign-in")
    session = browser.get_cookie("sandbox_session")
    assert session and session["httpOnly"] and session.get("sameSite") == "Strict", session
    browser.find_element(By.CSS_SELECTOR, "form.signout button").click()
    wait(browser, shown.url_to_be(cluster.url(1, "/console/login")))
    # The old cookie, put back (cookies are per host, not per port: node 3 gets it too), is
    # refused on another node: sign-out ended the session everywhere, not only in the browser.
    browser.delete_all_cookies()
    browser.add_cookie({"name": "sandbox_session", "value": session["value"], "path": "/"})
    browser.get(cluster.url(3, "/console/cluster"))
    wait(browser, shown.url_to_be(cluster.url(3, "/console/login")))
