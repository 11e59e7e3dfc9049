#!/usr/bin/env python3
"""Sessions and request bodies for bench/load.sh, from a running `kaohe serve` on data
made by `kaohe demo` (organiser 1's accounts: s1-admin, s1-office, s1-leader, s1-auditor,
s1-u0001…).

Logs in as each role, finds the current campaign (the newest, still reporting) and the
latest finished one, and for every unit still filling in logs in as its reporter and reads
each of its items' forms: the values as shown and the version, so that every save the
load generator sends is a real write that passes the version check. Writes, into OUT:

  env               shell variables: cookies, CSRF tokens, paths
  slots.lua         the reporters' items for the save benchmark (cookie, token, path,
                    version, form body), one Lua table
  preview.body      one item's form, for the live score preview

Every save moves its item's version on: `prepare.py BASE_URL OUT_DIR --refresh` reads
the versions again (with the sessions kept in OUT/slots.json) before the next run.

Standard library only. Usage: prepare.py BASE_URL OUT_DIR [--refresh]
"""
import html
import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request

PASSWORD = "kaohe-demo-2026"
BASE, OUT = sys.argv[1].rstrip("/"), sys.argv[2]


def session(username):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(BASE + "/login").read().decode()
    token = csrf(page)
    body = urllib.parse.urlencode(
        {"csrf": token, "username": username, "password": PASSWORD}
    ).encode()
    landing = opener.open(BASE + "/login", body)
    if "/login" in landing.geturl():
        sys.exit(f"cannot log in as {username}: is this data made by `kaohe demo`?")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    token = csrf(opener.open(BASE + "/account/password").read().decode())
    return opener, cookie, token, landing.read().decode(), landing.geturl()


def csrf(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    if not m:
        sys.exit("no CSRF token on the page")
    return m.group(1)


def form_fields(page, action):
    """The named fields of the form posting to `action`, as the browser would send them
    (text inputs with their values, the checked radio of each group)."""
    start = page.find(f'action="{action}"')
    end = page.find("</form>", start)
    form = page[start:end]
    fields = []
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) in ("csrf", "version", "action", "evidence"):
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        kind = kind.group(1) if kind else "text"
        if kind in ("file", "submit", "button"):
            continue
        if kind in ("radio", "checkbox") and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields.append((name.group(1), html.unescape(value.group(1)) if value else ""))
    for name, text in re.findall(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields.append((name, html.unescape(text)))
    for name, options in re.findall(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        fields.append((name, html.unescape(chosen.group(1)) if chosen else ""))
    return fields


def main():
    admin, admin_cookie, admin_token, _, _ = session("s1-admin")
    overview = admin.open(BASE + "/admin").read().decode()
    campaigns = sorted({int(c) for c in re.findall(r'href="/admin/c/(\d+)"', overview)})
    current, past = campaigns[-1], campaigns[-2] if len(campaigns) > 1 else campaigns[-1]
    _, office_cookie, _, _, _ = session("s1-office")
    _, leader_cookie, _, _, _ = session("s1-leader")
    _, auditor_cookie, _, _, _ = session("s1-auditor")
    slots = []
    preview = None
    # Every organiser's units still filling in (every third unit from the third, as
    # `kaohe demo` makes them), until there are items enough.
    k = 0
    while len(slots) < 600:
        k += 1
        n, found = 0, 0
        while len(slots) < 600:
            n += 3
            try:
                opener, cookie, token, _, _ = session(f"s{k}-u{n:04d}")
            except SystemExit:
                break
            found += 1
            home = opener.open(BASE + "/").read().decode()
            links = [(int(c), int(u)) for c, u in re.findall(r'/c/(\d+)/u/(\d+)', home)]
            if not links:
                continue
            cid, uid = max(links)
            unit_page = opener.open(f"{BASE}/c/{cid}/u/{uid}").read().decode()
            items = sorted(set(re.findall(rf'/c/{cid}/u/{uid}/i/([A-Za-z0-9_.\-]+)"', unit_page)))
            for item in items:
                path = f"/c/{cid}/u/{uid}/i/{item}"
                page = opener.open(BASE + path).read().decode()
                v = re.search(r'name="version" value="(-?\d+)"', page)
                if not v:
                    continue
                fields = form_fields(page, path)
                body = urllib.parse.urlencode([("csrf", token)] + fields + [("action", "draft")])
                slots.append((cookie, path, int(v.group(1)), body))
                if preview is None and cid == current:
                    preview = (cookie, path + "/preview", urllib.parse.urlencode([("csrf", token)] + fields))
        if found == 0:
            break
    if not slots:
        sys.exit("no unit is still filling in: the save benchmark needs one")
    with open(f"{OUT}/slots.json", "w") as f:
        json.dump(slots, f)
    write_slots(slots)
    with open(f"{OUT}/preview.body", "w") as f:
        f.write(preview[2])
    reporter_cookie, preview_path = preview[0], preview[1]
    item_path = preview_path[: -len("/preview")]
    with open(f"{OUT}/env", "w") as f:
        for k, v in {
            "CURRENT": current,
            "PAST": past,
            "ADMIN_COOKIE": admin_cookie,
            "OFFICE_COOKIE": office_cookie,
            "LEADER_COOKIE": leader_cookie,
            "AUDITOR_COOKIE": auditor_cookie,
            "REPORTER_COOKIE": reporter_cookie,
            "ITEM_PATH": item_path,
            "PREVIEW_PATH": preview_path,
            "SLOTS": len(slots),
        }.items():
            f.write(f"{k}='{v}'\n")
    print(f"{len(slots)} items ready for saving; "
          f"campaign {current} (reporting), {past} (results)", file=sys.stderr)


def write_slots(slots):
    with open(f"{OUT}/slots.lua", "w") as f:
        f.write("return {\n")
        for cookie, path, version, body in slots:
            f.write(f"  {{ {lua(cookie)}, {lua(path)}, {version}, {lua(body)} }},\n")
        f.write("}\n")


def refresh():
    """Each item's version as its page shows it now."""
    slots = json.load(open(f"{OUT}/slots.json"))
    for slot in slots:
        cookie, path = slot[0], slot[1]
        req = urllib.request.Request(BASE + path, headers={"Cookie": cookie})
        page = urllib.request.urlopen(req).read().decode()
        slot[2] = int(re.search(r'name="version" value="(-?\d+)"', page).group(1))
    write_slots(slots)


def lua(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    refresh() if "--refresh" in sys.argv[3:] else main()
