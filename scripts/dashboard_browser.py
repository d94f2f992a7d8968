"""Drives /dashboard in headless Chromium (see scripts/dashboard-browser.sh, which seeds the server)."""
import json
import os
import re
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

URL = os.environ["CATALOG_URL"]
KEY = os.environ["ANALYST_KEY"]
ARTIFACTS = os.environ.get("ARTIFACTS", ".ci-output")
failures = []
console = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)


def api(path):
    request = urllib.request.Request(URL + path, headers={"X-API-Key": KEY})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def raw_values(field, body):
    """The exact text of each "field": number in a JSON body (never through a float)."""
    return re.findall(r'"%s":(null|[0-9.]+)' % field, body)


def collect_console(driver):
    for entry in driver.get_log("browser"):
        console.append(entry)


def table_values(driver, table, field):
    return [cell.get_attribute("data-value") for cell in driver.find_elements(By.CSS_SELECTOR, f"#{table} td[data-field='{field}']")]


def expect_figures(driver, query, label):
    """The page's tables hold the API's figures for the same parameters (`grain` is sales-over-time's only)."""
    over_time = api("/analytics/sales-over-time?" + query)
    query = "&".join(part for part in query.split("&") if part and not part.startswith("grain="))
    check(table_values(driver, "sales-table", "total_sales") == raw_values("total_sales", over_time),
          f"{label}: sales-over-time totals equal the API's ({raw_values('total_sales', over_time)})")
    periods = [row.get_attribute("data-period") for row in driver.find_elements(By.CSS_SELECTOR, "#sales-table tbody tr")]
    check(periods == [r["sales_period"] for r in json.loads(over_time)["results"]], f"{label}: the periods are the API's: {periods}")
    share = api("/analytics/revenue-share?" + query)
    check(table_values(driver, "share-table", "revenue_pct") == raw_values("revenue_pct", share), f"{label}: revenue shares equal the API's")
    top = api("/analytics/top-products?" + query)
    check(table_values(driver, "top-table", "total_sales") == raw_values("total_sales", top), f"{label}: top products equal the API's")
    inventory = api("/analytics/inventory?" + query)
    check(table_values(driver, "inventory-table", "inventory_value") == raw_values("inventory_value", inventory),
          f"{label}: inventory values equal the API's")


def expect_charts(driver, label):
    for chart in ["sales-chart", "share-chart", "inventory-chart"]:
        elements = driver.find_elements(By.CSS_SELECTOR, f"svg#{chart}")
        check(len(elements) == 1, f"{label}: the {chart} is drawn")
        if elements:
            box = elements[0].rect
            check(box["width"] > 100 and box["height"] > 20, f"{label}: the {chart} has a size ({box['width']:.0f}×{box['height']:.0f})")
            check(elements[0].find_element(By.CSS_SELECTOR, "title").get_attribute("textContent") != "", f"{label}: the {chart} has a title")
            check(elements[0].find_element(By.CSS_SELECTOR, "desc").get_attribute("textContent") != "", f"{label}: the {chart} has a desc")
    lines = driver.find_elements(By.CSS_SELECTOR, "#sales-chart polyline.line")
    check(len(lines) >= 1 and all(len(line.get_attribute("points").split()) >= 1 for line in lines), f"{label}: sales lines ({len(lines)})")
    sparklines = driver.find_elements(By.CSS_SELECTOR, "#top-table svg.sparkline polyline")
    check(len(sparklines) == len(driver.find_elements(By.CSS_SELECTOR, "#top-table tbody tr")) > 0,
          f"{label}: a sparkline per top product ({len(sparklines)})")


def screenshot(driver, name, width):
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 600), 6000))
    path = os.path.join(ARTIFACTS, name)
    driver.save_screenshot(path)
    print(f"screenshot {path} ({width}×{height})")


def main():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                     "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    wait = WebDriverWait(driver, 15)
    started = time.monotonic()
    try:
        driver.get(URL + "/dashboard")
        key_field = wait.until(EC.presence_of_element_located((By.ID, "api_key")))
        check(driver.find_element(By.ID, "login-form").get_attribute("action").endswith("/dashboard/login"), "the login form posts to /dashboard/login")
        collect_console(driver)

        key_field.send_keys(KEY)
        driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.ID, "filters")))
        check(driver.current_url.rstrip("/").endswith("/dashboard"), f"logged in, on {driver.current_url}")
        check("analyst" in driver.find_element(By.ID, "who").text, "the header names the analyst")
        check(driver.get_cookie("catalog_session") is not None and driver.get_cookie("catalog_session")["httpOnly"],
              "the session cookie is HttpOnly")
        check(driver.execute_script("return document.cookie").find("catalog_session") < 0, "scripts cannot read the session cookie")
        expect_charts(driver, "all time")
        expect_figures(driver, "", "all time")
        collect_console(driver)

        # Switch the range: the first two days of November 2026.
        driver.execute_script("document.getElementById('from').value = '2026-11-01'; document.getElementById('to').value = '2026-11-03';")
        driver.find_element(By.ID, "apply").click()
        wait.until(EC.url_contains("from=2026-11-01"))
        wait.until(EC.presence_of_element_located((By.ID, "sales-table")))
        check("to=2026-11-03" in driver.current_url and "partner_name=" not in driver.current_url,
              f"the range is in the URL, empty pickers left out: {driver.current_url}")
        check("2026-11-01T00:00:00" in driver.find_element(By.ID, "scope").text, "the scope line names the range")
        expect_figures(driver, "from=2026-11-01&to=2026-11-03&grain=daily", "2026-11-01 … 2026-11-03")
        rows = driver.find_elements(By.CSS_SELECTOR, "#sales-table tbody tr")
        check(len(rows) == 2, f"two days of USD sales ({len(rows)} rows)")
        collect_console(driver)

        # The grain picker submits itself (the page's script).
        driver.find_element(By.CSS_SELECTOR, "#grain option[value=weekly]").click()
        wait.until(EC.url_contains("grain=weekly"))
        wait.until(EC.presence_of_element_located((By.ID, "sales-table")))
        expect_figures(driver, "from=2026-11-01&to=2026-11-03&grain=weekly", "weekly")
        # "All time" clears the range.
        driver.find_element(By.CSS_SELECTOR, "button[data-days='0']").click()
        wait.until(lambda d: "from=" not in d.current_url)
        wait.until(EC.presence_of_element_located((By.ID, "sales-table")))
        expect_figures(driver, "grain=weekly", "all time, weekly")
        expect_charts(driver, "all time, weekly")
        collect_console(driver)

        screenshot(driver, "dashboard.png", 1280)
        driver.set_window_size(390, 844)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check(overflow <= 0, f"no horizontal scrolling at a phone's width (overflow {overflow}px)")
        chart_width = driver.find_element(By.ID, "sales-chart").rect["width"]
        check(chart_width <= 390, f"the sales chart fits a phone's width ({chart_width:.0f}px)")
        screenshot(driver, "dashboard-phone.png", 390)
        driver.set_window_size(1280, 900)

        driver.find_element(By.CSS_SELECTOR, "#logout-form button").click()
        wait.until(EC.presence_of_element_located((By.ID, "api_key")))
        check(driver.get_cookie("catalog_session") is None, "logging out clears the cookie")
        collect_console(driver)
    finally:
        driver.quit()

    errors = [entry for entry in console if entry.get("level") == "SEVERE"]
    for entry in console:
        print(f"console {entry.get('level')}: {entry.get('message')}")
    check(not errors, f"no console errors ({len(errors)})")
    print(f"dashboard browser test: {time.monotonic() - started:.1f} s")
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
