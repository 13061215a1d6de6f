"""The explorer's page in a real browser: the system's headless Chromium, driven by Selenium.

The page is opened from disk and stepped through with the keyboard; at every step the state the
page shows (the step, the node, the gradient arriving) is read back and compared with
minigrad's own gradients, and at the last step the leaves' gradients with what backward()
stores in .grad. No console error may occur; a screenshot is taken at a step of each page.

Nothing is downloaded: Chromium and its driver are Debian's (``./run test`` installs them when
missing), and the driver's path is given so that Selenium Manager never looks for one. Slow
(a browser starts): ``./run test -m "not slow"`` skips it.
"""

import json
import shutil
import time

import numpy as np
import pytest

import minigrad
from minigrad.viz import explore
from minigrad.viz.examples import flags, mlp, neuron
from minigrad.viz.explore import shown
from minigrad.viz.steps import build_steps

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

pytestmark = pytest.mark.slow

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync --window-size=1400,900"
).split()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    for program in (CHROMIUM, CHROMEDRIVER):
        if shutil.which(program) is None:
            pytest.fail(
                f"the browser test needs {program}: `./run test` installs it, or run "
                "`sudo apt-get install chromium chromium-driver`",
                pytrace=False,
            )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


def state(driver):
    """The step, node and gradient the page shows, read from the page itself."""
    step, node, grad, fragment = driver.execute_script(
        "const p = document.getElementById('panel');"
        "return [document.body.dataset.step, p.dataset.node, p.dataset.grad, location.hash];"
    )
    return int(step), node, json.loads(grad), fragment


def assert_same(page_value, expected):
    """A gradient as the page shows it against minigrad's (entry by entry, or the summary)."""
    want = shown(expected)
    assert page_value["shape"] == want["shape"]
    for name in ("values", "norm", "min", "max", "zeros"):
        if name in want:
            got, exp = page_value[name], want[name]
            if isinstance(exp, list):
                assert [isinstance(g, str) for g in got] == [isinstance(e, str) for e in exp]
                np.testing.assert_allclose(
                    [float(g) for g in got], [float(e) for e in exp], rtol=1e-12, atol=0, equal_nan=True
                )
            else:
                np.testing.assert_allclose(float(got), float(exp), rtol=1e-12, atol=0, equal_nan=True)


def severe(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize(
    "name, make",
    [("neuron", neuron), ("flags", flags), ("relu-mlp", lambda: mlp(depth=2, width=4, batch=4, dead=1))],
)
def test_stepping_with_the_keyboard_shows_minigrads_gradients(browser, tmp_path, name, make):
    example = make()
    page = explore(example.root, tmp_path / f"{name}.html")
    steps = build_steps(example.root, recording=None)  # the same graph: the same keys
    values = {v.key: v for v in steps.trace.values}
    tensors = [values[step.key].tensor for step in steps.steps]
    with np.errstate(all="ignore"):
        expected = minigrad.grad(example.root, tensors, retain_graph=True, allow_unused=True)
    browser.get(page.path.resolve().as_uri())
    severe(browser)  # start the log afresh for this page
    assert state(browser)[0] == 0
    body = browser.find_element(By.TAG_NAME, "body")
    for i, (step, grad) in enumerate(zip(steps.steps, expected), 1):
        body.send_keys(Keys.ARROW_RIGHT)
        shown_step, node, page_grad, fragment = state(browser)
        assert (shown_step, node, fragment) == (i, step.key, f"#step={i}")
        assert_same(page_grad, grad.numpy())
        if i == 3:
            browser.save_screenshot(str(tmp_path / f"{name}-step3.png"))
    body.send_keys(Keys.ARROW_RIGHT)  # past the last step: stays there
    assert state(browser)[0] == len(steps.steps)
    rows = browser.find_elements(By.CSS_SELECTOR, "#panel tr[data-leaf]")
    from_page = {row.get_attribute("data-leaf"): json.loads(row.get_attribute("data-grad")) for row in rows}
    leaves = {v.key: v.tensor for v in steps.trace.values if v.producer is None and v.tensor.requires_grad}
    with np.errstate(all="ignore"):
        example.root.backward()
    assert from_page.keys() == leaves.keys()
    for key, tensor in leaves.items():
        assert_same(from_page[key], tensor.grad.numpy())
    body.send_keys(Keys.ARROW_LEFT)
    assert state(browser)[0] == len(steps.steps) - 1
    body.send_keys(Keys.HOME)
    assert state(browser)[0] == 0
    assert severe(browser) == []
    assert (tmp_path / f"{name}-step3.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_link_opens_its_step_and_play_pause_and_the_slider_move_it(browser, tmp_path):
    example = neuron()
    page = explore(example.root, tmp_path / "neuron.html")
    browser.get(page.path.resolve().as_uri() + "#step=5")
    assert state(browser)[:2] == (5, build_steps(example.root, None).steps[4].key)
    current = browser.find_elements(By.CSS_SELECTOR, "#graph g.node.current")
    assert {g.find_element(By.TAG_NAME, "title").get_attribute("textContent") for g in current} == set(
        build_steps(example.root, None).steps[4].nodes
    )
    browser.find_element(By.ID, "play").click()
    time.sleep(1.6)  # two ticks of 0.7 s
    browser.find_element(By.ID, "play").click()
    moved = state(browser)[0]
    assert moved > 5
    time.sleep(0.8)
    assert state(browser)[0] == moved  # paused
    browser.execute_script(
        "const s = document.getElementById('slider'); s.value = 2; s.dispatchEvent(new Event('input'));"
    )
    assert state(browser)[0] == 2 and state(browser)[3] == "#step=2"
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "prev").click()
    assert state(browser)[0] == 3
    browser.save_screenshot(str(tmp_path / "neuron-step3-buttons.png"))
    assert severe(browser) == []


def test_a_module_graph_past_max_nodes_steps_by_module_call(browser, tmp_path):
    example = mlp(depth=3, width=8, batch=8)
    page = explore(example.root, tmp_path / "layers.html", recording=example.recording, max_nodes=20)
    expected = [step.key for step in build_steps(example.root, example.recording, mode="layers").steps]
    browser.get(page.path.resolve().as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    keys = []
    for _ in expected:
        body.send_keys(Keys.ARROW_RIGHT)
        keys.append(state(browser)[1])
    assert keys == expected and [k for k in keys if k.startswith("L")] == [f"L{i}" for i in range(7)]
    body.send_keys(Keys.HOME)
    for _ in range(3):
        body.send_keys(Keys.ARROW_RIGHT)
    browser.save_screenshot(str(tmp_path / "layers-step3.png"))
    assert severe(browser) == []
