#!/usr/bin/env python3
"""Drives Kiln's gallery (outputs/index.html) in headless Chromium through Selenium, from file://,
and prints what it saw as one JSON object on stdout. The Swift tests (GalleryBrowserTests) make the
page with the real `kiln` binary, run this, and assert on the JSON; this script asserts nothing.

  gallery_check.py check PAGE      every card rendered and every thumbnail loaded, console errors,
                                   the filters, keyboard navigation, the detail view of each prompt
  gallery_check.py candidates PAGE the candidates' badges (candidate K, picked, re-rolled), every
                                   thumbnail loaded, each card's detail view and its full image
  gallery_check.py open PAGE       how long the page takes to be ready with its first screen of
                                   thumbnails loaded (the 10,000-variant bound)
"""
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait


def browser():
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,900"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def console_errors(driver):
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait_ready(driver, timeout=30):
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))


def cards(driver):
    return driver.execute_script("return document.querySelectorAll('#grid .card').length")


def render_all(driver):
    """Scrolls until every card of the current filter is on the page (the grid renders in pages)."""
    for _ in range(1000):
        shown = cards(driver)
        total = driver.execute_script("return Number(document.getElementById('count').textContent.split(' ')[0])")
        if shown >= total:
            return shown, total
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        time.sleep(0.05)
    return cards(driver), None


IMAGES_STATE = """
const imgs = [...document.querySelectorAll('#grid img')];
return {count: imgs.length, complete: imgs.filter(i => i.complete).length,
        loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
        broken: imgs.filter(i => i.complete && i.naturalWidth === 0).map(i => i.getAttribute('src'))};
"""


def load_every_image(driver):
    """Lazy images load when near the screen: scroll each into view, then wait for all."""
    driver.execute_script("for (const i of document.querySelectorAll('#grid img')) i.loading = 'eager';")
    deadline = time.time() + 60
    while time.time() < deadline:
        state = driver.execute_script(IMAGES_STATE)
        if state["complete"] == state["count"]:
            return state
        time.sleep(0.1)
    return driver.execute_script(IMAGES_STATE)


def check(page):
    driver = browser()
    try:
        driver.get("file://" + page)
        wait_ready(driver)
        result = {}
        data = driver.execute_script("return JSON.parse(document.getElementById('kiln-data').textContent)")
        result["items"] = len(data["items"])
        result["rendered"], _ = render_all(driver)
        result["images"] = load_every_image(driver)

        # Changed only: exactly the new and changed items.
        driver.find_element(By.ID, "changed").click()
        shown, _ = render_all(driver)
        result["changed_only_cards"] = shown
        result["changed_only_expected"] = sum(1 for i in data["items"] if i["status"] != "unchanged")
        result["changed_only_previous_images"] = driver.execute_script(
            "return document.querySelectorAll('#grid .was img').length")
        result["changed_only_previous_loaded"] = driver.execute_script(
            "return [...document.querySelectorAll('#grid .was img')].filter(i => i.complete && i.naturalWidth > 0).length")
        driver.find_element(By.ID, "changed").click()

        # Each pipeline filter shows that pipeline's items only.
        result["pipelines"] = {}
        select = Select(driver.find_element(By.ID, "pipeline"))
        for option in [o.get_attribute("value") for o in select.options if o.get_attribute("value")]:
            select.select_by_value(option)
            shown, _ = render_all(driver)
            others = driver.execute_script(
                "const items = JSON.parse(document.getElementById('kiln-data').textContent).items;"
                "return [...document.querySelectorAll('#grid .card')].filter(c => items[Number(c.dataset.i)].pipeline !== arguments[0]).length",
                option)
            result["pipelines"][option] = {"cards": shown, "expected": sum(1 for i in data["items"] if i["pipeline"] == option),
                                           "others": others}
        select.select_by_value("")
        driver.execute_script("window.scrollTo(0, 0)")

        # Keyboard: → focuses the first card, → the second, Enter opens it, Escape closes it.
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.ARROW_RIGHT)
        first = driver.execute_script("return document.activeElement.dataset.i")
        driver.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
        second = driver.execute_script("return document.activeElement.dataset.i")
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        opened = driver.execute_script("return document.getElementById('detail').open")
        heading = driver.execute_script("return document.querySelector('#detail h2').textContent")
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        closed = not driver.execute_script("return document.getElementById('detail').open")
        result["keyboard"] = {"first": first, "second": second, "opened": opened, "closed": closed, "heading": heading}

        # Every prompt shown in the detail view exactly as written, as text.
        shown_prompts = []
        for index, item in enumerate(data["items"]):
            if not item.get("prompt"):
                continue
            driver.execute_script(
                "document.querySelector('#grid .card[data-i=\"' + arguments[0] + '\"]')?.click()", index)
            text = driver.execute_script("const p = document.querySelector('#detail pre'); return p ? p.textContent : null")
            shown_prompts.append({"path": item["path"], "prompt": item["prompt"], "shown": text})
            driver.execute_script("document.getElementById('detail').close()")
        result["prompts"] = shown_prompts
        result["pwned"] = driver.execute_script("return window.pwned !== undefined")
        result["scripts"] = driver.execute_script("return document.scripts.length")
        result["console_errors"] = console_errors(driver)
        return result
    finally:
        driver.quit()


def candidates(page):
    driver = browser()
    try:
        driver.get("file://" + page)
        wait_ready(driver)
        result = {"rendered": render_all(driver)[0], "images": load_every_image(driver)}
        result["cards"] = driver.execute_script(
            "return [...document.querySelectorAll('#grid .card')].map(c => ({"
            "  i: Number(c.dataset.i),"
            "  badges: [...c.querySelectorAll('.badge')].map(b => b.textContent),"
            "  group: (() => { let e = c.previousElementSibling; while (e && e.tagName !== 'H3') e = e.previousElementSibling; return e ? e.textContent : null; })()"
            "}))")
        details = []
        for card in result["cards"]:
            driver.execute_script(
                "document.querySelector('#grid .card[data-i=\"' + arguments[0] + '\"]').click()", card["i"])
            WebDriverWait(driver, 30).until(lambda d: d.execute_script(
                "const f = document.querySelector('#detail img.full'); return f && f.complete"))
            details.append(driver.execute_script(
                "const f = document.querySelector('#detail img.full');"
                "const rows = Object.fromEntries([...document.querySelectorAll('#detail tr')].map(r => [r.cells[0].textContent, r.cells[1].textContent]));"
                "return {i: arguments[0], full: f.getAttribute('src'), loaded: f.naturalWidth > 0, rows: rows}", card["i"]))
            driver.execute_script("document.getElementById('detail').close()")
        result["details"] = details
        result["console_errors"] = console_errors(driver)
        return result
    finally:
        driver.quit()


def open_timing(page):
    driver = browser()
    try:
        start = time.perf_counter()
        driver.get("file://" + page)
        wait_ready(driver, timeout=120)
        WebDriverWait(driver, 120).until(lambda d: (lambda s: s["count"] > 0 and s["complete"] == s["count"])(
            d.execute_script("const imgs = [...document.querySelectorAll('#grid img')].filter(i => i.getBoundingClientRect().top < innerHeight);"
                             "return {count: imgs.length, complete: imgs.filter(i => i.complete && i.naturalWidth > 0).length}")))
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "items": driver.execute_script(
            "return JSON.parse(document.getElementById('kiln-data').textContent).items.length"),
            "cards": cards(driver), "console_errors": console_errors(driver)}
    finally:
        driver.quit()


if __name__ == "__main__":
    mode, page = sys.argv[1], sys.argv[2]
    print(json.dumps({"check": check, "candidates": candidates, "open": open_timing}[mode](page)))
