// The campaign's year in headless Chromium, the way its people do it: the admin, a
// reporter on a phone, an assessor at a desk, a leader and the auditor, each in a browser
// of their own, on the real `kaohe serve`. Run by crates/kaohe/tests/browser.rs (part of
// `cargo test --workspace`), which starts the server on a fresh data folder and passes:
//
//   KAOHE_URL              the server, e.g. http://127.0.0.1:40123
//   KAOHE_CHROMIUM         the browser (default /usr/bin/chromium)
//   KAOHE_E2E_OUT          where screenshots and the page table go (under target/)
//   KAOHE_E2E_SELF_TOTAL   新碶街道's self-check total by `kaohe score` on the demo facts
//
// What is asserted is what a person sees: texts, numbers and states on the page, and the
// list of pages each person went through. Every page visited is checked with axe-core
// (serious or critical violations fail the run), and its transferred bytes and load time
// are printed. A script error, a failed request for an asset or a console error fails too.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BASE = process.env.KAOHE_URL;
const OUT = process.env.KAOHE_E2E_OUT ?? path.join(HERE, "..", "target", "tmp", "browser-year");
const SHOTS = path.join(OUT, "screenshots");
const CHROMIUM = process.env.KAOHE_CHROMIUM ?? "/usr/bin/chromium";
const SELF_TOTAL = process.env.KAOHE_E2E_SELF_TOTAL;
const PASSWORD = "kaohe-demo-2026";
const CAMPAIGN = "2026年度街道流动人口服务管理考核";
const UNIT = "新碶街道";
// Each step waits at most this long for what a person would see.
const STEP_MS = 10_000;

if (!BASE) {
  console.error("KAOHE_URL is not set: run this through `cargo test --workspace` (crates/kaohe/tests/browser.rs)");
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });
for (const old of readdirSync(SHOTS)) if (old.startsWith("failure-")) rmSync(path.join(SHOTS, old), { force: true });

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 860 } };

// The demo facts of 新碶街道 (invented figures), as a person would copy them from their
// own records: key → text. The demo CSV has no quoted fields.
function demoRow(unit) {
  const lines = readFileSync(path.join(HERE, "..", "examples", "beilun-2026-demo.csv"), "utf8")
    .split(/\r?\n/)
    .filter((l) => l && !l.startsWith("#"));
  const header = lines[0].split(",");
  const row = lines.find((l) => l.startsWith(unit + ",")).split(",");
  return Object.fromEntries(header.slice(1).map((k, i) => [k, row[i + 1]]));
}
const FACTS = demoRow(UNIT);
// The rubric's items in order, as the item pages' "next" links go through them.
const ITEMS = [
  "basic.1", "basic.2", "basic.3", "basic.4",
  "management.1", "management.2", "management.3", "management.4", "management.5", "management.6", "management.7",
  "service.1", "service.2", "service.3", "service.4", "service.5",
  "innovation.1", "innovation.2",
];
// How people refer to an item (the pages never show its id): 基础工作第1项.
const CATEGORY = { basic: "基础工作", management: "管理工作", service: "服务工作", innovation: "创新工作" };
const ref = (id) => {
  const [category, n] = id.split(".");
  return `${CATEGORY[category]}第${n}项`;
};
// The required fact the reporter leaves for last, to be refused submission without it.
const LATE_ITEM = "service.5";
const LATE_KEY = "service.5.vaccination_rate";

// A small real PDF, as evidence (佐证材料).
function pdf(title) {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    null,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  const text = `BT /F1 18 Tf 72 770 Td (${title}) Tj ET`;
  objects[3] = `<< /Length ${text.length} >>\nstream\n${text}\nendstream`;
  let body = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

// ── what is recorded ──────────────────────────────────────────────────────────

const visits = [];
const problems = [];
const started = Date.now();

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

// A path as recorded: numeric ids become :id, so that the journey reads the same on any
// database; the query stays (it says what happened: ?saved=done).
function normalise(url) {
  const u = new URL(url);
  return u.pathname.replace(/\/\d+(?=\/|$)/g, "/:id") + u.search;
}

class Person {
  constructor(browser, username, device, deviceName) {
    this.browser = browser;
    this.username = username;
    this.device = device;
    this.deviceName = deviceName;
    this.pages = [];
  }

  async open() {
    this.context = await this.browser.newContext({ ...this.device, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    this.context.setDefaultTimeout(STEP_MS);
    this.page = await this.context.newPage();
    const who = this.username;
    this.page.on("pageerror", (e) => problems.push(`${who}: script error on ${normalise(this.page.url())}: ${e.message}`));
    this.page.on("console", (m) => {
      // A failed request is reported with its address by the "response" handler; the
      // browser's own request for /favicon.ico is not the page's.
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`${who}: console error on ${normalise(this.page.url())}: ${m.text()}`);
    });
    this.page.on("requestfailed", (r) => {
      // A live preview still on its way when the person presses save is cut short by
      // the page they go to: nothing is lost, and nobody sees it.
      if (r.url().endsWith("/preview") && r.failure()?.errorText === "net::ERR_ABORTED") return;
      problems.push(`${who}: request failed: ${r.method()} ${normalise(r.url())}: ${r.failure()?.errorText}`);
    });
    this.page.on("response", (r) => {
      if (r.status() >= 400 && r.request().resourceType() !== "document") {
        problems.push(`${who}: ${r.status()} for ${r.request().resourceType()} ${normalise(r.url())} (on ${normalise(this.page.url())})`);
      }
    });
    this.page.on("dialog", (d) => d.accept());
    return this;
  }

  // Records the page just reached: its path, weight, load time and axe-core's findings.
  async arrived(response) {
    const page = this.page;
    assert.ok(response, `${this.username}: no response for ${page.url()}`);
    const method = response.request().method();
    const status = response.status();
    await page.waitForLoadState("load");
    const where = normalise(page.url());
    assert.ok(status < 400, `${this.username}: ${method} ${where} answered ${status}: ${(await this.text("main").catch(() => ""))}`);
    const timing = await page.waitForFunction(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      if (!nav || nav.loadEventEnd === 0) return null;
      const res = performance.getEntriesByType("resource");
      return {
        ms: nav.loadEventEnd - nav.startTime,
        bytes: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0),
        html: nav.encodedBodySize,
        requests: 1 + res.length,
      };
    }).then((h) => h.jsonValue());
    await page.evaluate(AXE);
    const axe = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
      }));
    });
    const visit = { who: this.username, device: this.deviceName, method, path: where, ...timing, axe };
    visits.push(visit);
    this.pages.push(`${method} ${where}`);
    const bad = axe.filter((v) => v.impact === "serious" || v.impact === "critical");
    const minor = axe.length - bad.length;
    console.log(
      `  ${this.username.padEnd(8)} ${this.deviceName.padEnd(7)} ${method.padEnd(4)} ${where.padEnd(46)} ${kb(timing.bytes).padStart(9)} ${String(Math.round(timing.ms)).padStart(5)} ms  ` +
        (bad.length ? `axe: ${bad.map((v) => `${v.impact} ${v.id}`).join(", ")}` : `axe ok${minor ? ` (${minor} moderate or minor)` : ""}`),
    );
    return this;
  }

  // Types an address (only for the first page of a person's day).
  async go(address) {
    const response = await this.page.goto(BASE + address);
    return this.arrived(response);
  }

  // Clicks something that loads a new page (a link or a form's button).
  async click(locator) {
    const [response] = await Promise.all([this.page.waitForNavigation(), locator.click()]);
    return this.arrived(response);
  }

  async reload() {
    return this.arrived(await this.page.reload());
  }

  async text(selector) {
    return (await this.page.locator(selector).first().innerText()).trim();
  }

  // Waits until the selector's text contains `want` (a string or a RegExp).
  async see(want, selector = "main") {
    const loc = this.page.locator(selector).first();
    const deadline = Date.now() + STEP_MS;
    let last = "";
    while (Date.now() < deadline) {
      last = await loc.innerText().catch(() => "");
      if (typeof want === "string" ? last.includes(want) : want.test(last)) return last;
      await this.page.waitForTimeout(50);
    }
    const alerts = await this.page.locator("main [role=alert]").allInnerTexts().catch(() => []);
    assert.fail(
      `${this.username} on ${normalise(this.page.url())} does not see ${want} in ${selector}; it shows:\n${last.slice(0, 1500)}` +
        (alerts.length ? `\nthe page says: ${alerts.join(" / ")}` : ""),
    );
  }

  async notSee(unwanted, selector = "main") {
    const t = await this.page.locator(selector).first().innerText();
    assert.ok(!t.includes(unwanted), `${this.username} on ${normalise(this.page.url())} sees ${unwanted}:\n${t.slice(0, 1500)}`);
  }

  link(name, scope = this.page.locator("main")) {
    return scope.getByRole("link", { name, exact: false }).first();
  }

  // A button by its whole name (a file input is a button too, named by its label).
  button(name, scope = this.page) {
    return scope.getByRole("button", { name, exact: true }).first();
  }

  field(label, scope = this.page.locator("main")) {
    return scope.getByLabel(label, { exact: false }).first();
  }

  async login() {
    await this.go("/");
    assert.equal(new URL(this.page.url()).pathname, "/login", "logged out, one lands on the login page");
    await this.see("登录", "h1");
    await this.field("用户名").fill(this.username);
    await this.field("密码").fill(PASSWORD);
    await this.click(this.button("登录", this.page.locator("main")));
    return this;
  }

  // A screenshot of the part of the page from the first element to the last (when
  // there), once drawings on it have settled.
  async shotOf(name, first, last) {
    const a = await first.boundingBox();
    assert.ok(a, `${name}: ${first} is on the page`);
    let b = a;
    if ((await last.count()) > 0) {
      await this.page.waitForTimeout(1500);
      b = (await last.first().boundingBox()) ?? a;
    }
    const clip = { x: 0, y: Math.max(0, a.y - 16), width: this.device.viewport.width, height: b.y + b.height - a.y + 32 };
    await this.page.screenshot({ path: path.join(SHOTS, `${name}.png`), clip, fullPage: true });
  }

  // A screenshot: the whole page at a desk, the screen as seen on a phone.
  async shot(name, fullPage = this.deviceName === "desktop") {
    // Charts draw themselves with a short animation.
    if ((await this.page.locator("[data-chart]").count()) > 0) await this.page.waitForTimeout(1500);
    await this.page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
  }
}

// Numbers as the pages show them (exact decimals such as 93.5 or 94).
function num(text) {
  // The pages write a minus as "−" (U+2212), as print does.
  const m = String(text).replace(/\u2212/g, "-").match(/-?\d+(\.\d+)?/);
  assert.ok(m, `a number in ${JSON.stringify(text)}`);
  return Number(m[0]);
}

function same(a, b, what) {
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);
}

// The files of a zip archive (an Office document is one): name → bytes.
function unzip(buf) {
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  assert.ok(end >= 0, "an Office document is a zip archive");
  const files = new Map();
  let p = buf.readUInt32LE(end + 16);
  for (let n = buf.readUInt16LE(end + 10); n > 0; n--) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, "a zip central directory entry");
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files.set(name, method === 0 ? data : inflateRawSync(data));
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return files;
}

const downloads = [];

// Clicks a download link, keeps the file under the output folder and opens it: the
// Office document is unpacked, its main part must be there, and its XML is returned.
async function download(person, link) {
  const [file] = await Promise.all([person.page.waitForEvent("download"), link.click()]);
  const name = file.suggestedFilename();
  const to = path.join(OUT, "downloads", `${person.username}-${name}`);
  await file.saveAs(to);
  const bytes = readFileSync(to);
  const parts = unzip(bytes);
  const main = name.endsWith(".docx") ? "word/document.xml" : "xl/workbook.xml";
  assert.ok(parts.has(main), `${name} has ${main}: ${[...parts.keys()].join(", ")}`);
  const xml = [...parts.entries()].filter(([n]) => n.endsWith(".xml")).map(([, b]) => b.toString("utf8"));
  const text = xml.join("\n").replace(/<[^>]+>/g, " ");
  downloads.push({ who: person.username, name, bytes: bytes.length });
  console.log(`  ${person.username.padEnd(8)} ${person.deviceName.padEnd(7)} download ${name.padEnd(42)} ${kb(bytes.length).padStart(9)}  opened: ${parts.size} parts`);
  return { name, text, xml: xml.join("\n") };
}

// Fills one item's facts on its page from the demo row, as typed by a person.
// The facts the Beilun rubric counts from records kept during the year (台账): shown on
// the item pages, never typed.
const FROM_RECORDS = (key) => key === "basic.1.misses" || key.startsWith("basic.3.") || key.startsWith("innovation.1.");

async function fillItem(p, item, except = []) {
  const form = p.page.locator("form#facts");
  for (const [key, value] of Object.entries(FACTS)) {
    if (!key.startsWith(item + ".") || except.includes(key) || FROM_RECORDS(key)) continue;
    const input = form.locator(`[name="${key}"]`);
    const count = await input.count();
    assert.ok(count > 0, `${item}: the page has a field for ${key}`);
    const type = await input.first().getAttribute("type");
    if (type === "radio") {
      await form.locator(`[name="${key}"][value="${value}"]`).check();
    } else {
      await input.first().fill(value);
    }
  }
}

// ── the year ──────────────────────────────────────────────────────────────────

async function year(browser) {
  const admin = await new Person(browser, "admin", DESKTOP, "desktop").open();
  const xinqi = await new Person(browser, "xinqi", PHONE, "phone").open();
  const assessor = await new Person(browser, "kaoheban", DESKTOP, "desktop").open();
  const people = [admin, xinqi, assessor];
  const expected = { admin: [], xinqi: [], kaoheban: [], gongan: [], lingdao: [], shenji: [] };
  const LOGIN = ["GET /login?next=/"];

  // 1. The admin opens the campaign (seeded with the demo): its settings, units,
  //    departments, and where publication and lock will be.
  console.log("1. the admin opens the campaign");
  await admin.login();
  await admin.see("考核任务", "h1");
  await admin.see(CAMPAIGN);
  const card = admin.page.locator("main section.card", { hasText: CAMPAIGN });
  assert.ok((await card.innerText()).includes("已提交 5 / 11"), "five of eleven units have submitted");
  const overviewRow = card.locator("tr", { hasText: UNIT });
  assert.equal((await overviewRow.locator(".state").innerText()).trim(), "未开始", "新碶街道 has not started");
  await admin.click(admin.link(CAMPAIGN));
  await admin.see(CAMPAIGN, "h1");
  await admin.see("结果尚未计算，不能公示", "#publication");
  assert.equal((await admin.page.locator('select[name="d.management.1"] option:checked').innerText()).trim(), "区公安分局");
  await admin.shot("admin-campaign-desktop");
  await admin.click(admin.link("填报与审核进度"));
  await admin.see(/共 11 个单位：已提交 5 · 已退回 0 · 填报中 5 · 未开始 1/);
  const campaignPath = new URL(admin.page.url()).pathname.replace(/\/progress$/, "");
  expected.admin.push(...LOGIN, "GET /admin", "GET /admin/c/:id", "GET /admin/c/:id/progress");

  // 2. The reporter of 新碶街道, on a phone, fills the self-check item by item.
  console.log("2. the reporter fills the self-check on a phone");
  await xinqi.login();
  await xinqi.see(CAMPAIGN);
  await xinqi.see("自查中", ".badge");
  expected.xinqi.push(...LOGIN, "GET /");

  // Records kept during the year (台账): the unit declares an article adopted this month,
  // with the adoption notice; it counts in the self-check at once, in the assessed
  // column once the office confirms it.
  await xinqi.click(xinqi.link("台账记录"));
  await xinqi.see("台账记录", "h1");
  const adopted = xinqi.page.locator("tr", { hasText: "录用信息" }).first();
  const [selfBefore, assessedBefore] = (await adopted.locator("td.num").allInnerTexts()).map(Number);
  await xinqi.page.locator("details#new-info summary").click();
  const declare = xinqi.page.locator("details#new-info form");
  await declare.getByLabel("日期").fill("2026-11-02");
  await declare.getByLabel("信息标题").fill("新碶街道新居民积分入学政策解读会座无虚席");
  await declare.getByLabel("录用载体").fill("北仑区流动人口工作简报");
  await declare.getByLabel("佐证材料（可多选）").setInputFiles({ name: "录用通知.pdf", mimeType: "application/pdf", buffer: pdf("Adoption notice") });
  await xinqi.click(xinqi.button("申报", declare));
  await xinqi.see("已申报，等待责任部门确认。", "[role=status]");
  await xinqi.see("新碶街道新居民积分入学政策解读会座无虚席", "#records");
  const [selfAfter, assessedAfter] = (await adopted.locator("td.num").allInnerTexts()).map(Number);
  assert.equal(selfAfter, selfBefore + 1, "a declared article counts in the self-check");
  assert.equal(assessedAfter, assessedBefore, "not yet in the assessed column");
  await xinqi.shot("records-phone");
  expected.xinqi.push("GET /c/:id/records", "GET /c/:id/records?message=declared");
  await xinqi.click(xinqi.link("我的自查", xinqi.page.locator("nav.menu")));
  await xinqi.click(xinqi.link(CAMPAIGN));
  await xinqi.see(`${UNIT} · 自查`, "h1");
  await xinqi.see(/尚未填写的必填数据（\d+ 项）/);
  await xinqi.shot("report-empty-phone");
  expected.xinqi.push("GET /", "GET /c/:id/u/:id");

  // The first item counts the district's records of misses: shown, not typed.
  await xinqi.click(xinqi.link("第1项 季度计划"));
  const preview = xinqi.page.locator("#preview .preview-score strong");
  await xinqi.see("未落实次数", "form#facts");
  await xinqi.see("不能直接修改", "form#facts");
  await xinqi.see(/本项得分 6/, "#preview");
  // Evidence chosen on the form: one press saves it with the item.
  await xinqi.field("佐证材料（可一次选多个文件）").setInputFiles([
    { name: "2026年一季度工作总结.pdf", mimeType: "application/pdf", buffer: pdf("2026 Q1 summary") },
    { name: "2026年二季度工作总结.pdf", mimeType: "application/pdf", buffer: pdf("2026 Q2 summary") },
  ]);
  await xinqi.click(xinqi.button("保存并标记完成"));
  await xinqi.see("已保存，此项标记为已完成；2 个佐证材料已上传", "[role=status]");
  await xinqi.see("2026年一季度工作总结.pdf", "ul.files");
  await xinqi.see("2026年二季度工作总结.pdf", "ul.files");
  await xinqi.shot("item-files-phone");
  expected.xinqi.push("GET /c/:id/u/:id/i/basic.1", "GET /c/:id/u/:id/i/basic.1?saved=done&files=2");

  // The second item: the preview follows what is typed, before anything is saved.
  await xinqi.click(xinqi.link(`下一项 ${ref("basic.2")}`, xinqi.page.locator("nav.pager")));
  expected.xinqi.push("GET /c/:id/u/:id/i/basic.2");
  await fillItem(xinqi, "basic.2");
  await xinqi.see(/本项得分 8/, "#preview");
  await xinqi.page.locator('form#facts [name="basic.2.funding"][value="否"]').check();
  await xinqi.see("落实工作经费：否", "#preview");
  assert.equal((await preview.innerText()).trim(), "6", "funding not in place costs two of eight points");
  await xinqi.page.locator("form#facts").evaluate((f) => f.scrollIntoView());
  await xinqi.shot("item-preview-phone");

  // The other items, one after another with 保存并下一项 (fewer taps on a phone).
  const rest = ITEMS.slice(1);
  for (const [n, item] of rest.entries()) {
    await xinqi.see(ref(item), "h1");
    const next = rest[n + 1];
    if (item === LATE_ITEM) {
      // The vaccination rate is not at hand yet: "done" is refused, and "next" keeps a draft.
      await fillItem(xinqi, item, [LATE_KEY]);
      await xinqi.click(xinqi.button("保存并标记完成"));
      await xinqi.see("不能标记为已完成", "[role=alert]");
      await xinqi.see("一类疫苗接种率", "[role=alert]");
      expected.xinqi.push(`POST /c/:id/u/:id/i/${item}`);
    } else {
      await fillItem(xinqi, item);
    }
    if (next) {
      await xinqi.click(xinqi.button("保存并下一项"));
      const draft = item === LATE_ITEM;
      await xinqi.see(draft ? `上一项（${ref(item)}）已保存为草稿` : `上一项（${ref(item)}）已保存并标记为已完成`, "[role=status]");
      expected.xinqi.push(`GET /c/:id/u/:id/i/${next}?saved=${draft ? "draft" : "done"}&prev=${item}`);
    } else {
      await xinqi.click(xinqi.button("保存并返回列表"));
      await xinqi.see("最后一项已保存", "[role=status]");
      expected.xinqi.push(`GET /c/:id/u/:id?saved=${item}`);
    }
  }
  await xinqi.see("尚未填写的必填数据（1 项）");
  await xinqi.see(`${ref(LATE_ITEM)} 一类疫苗接种率`, "ul.missing");

  // Submitting with a required fact missing is refused, and says why.
  await xinqi.field("联系电话").fill("0574-86781234");
  await xinqi.field("审核领导").fill("王建国");
  await xinqi.click(xinqi.button("提交自查（下一步核对后确认）"));
  await xinqi.see("未提交：还有 1 项必填数据未填", "[role=alert]");
  await xinqi.see("自查中", ".summary");
  expected.xinqi.push("POST /c/:id/u/:id/submit");

  // The missing fact, then submission.
  await xinqi.click(xinqi.link(ref(LATE_ITEM), xinqi.page.locator("ul.missing")));
  await xinqi.field("一类疫苗接种率").fill(FACTS[LATE_KEY]);
  await xinqi.click(xinqi.button("保存并标记完成"));
  await xinqi.see("已保存，此项标记为已完成", "[role=status]");
  await xinqi.click(xinqi.link("返回项目列表", xinqi.page.locator("nav.pager")));
  await xinqi.notSee("尚未填写的必填数据");
  const selfTotal = num(await xinqi.text("#self-total"));
  if (SELF_TOTAL) same(selfTotal, Number(SELF_TOTAL), "the page's self-check total equals `kaohe score` on the same facts");
  await xinqi.shot("report-filled-phone");
  await xinqi.field("联系电话").fill("0574-86781234");
  await xinqi.field("审核领导").fill("王建国");
  const shownTotal = await xinqi.text("#self-total");
  await xinqi.click(xinqi.button("提交自查（下一步核对后确认）"));
  // The safety net: what has no evidence, before anything is sent.
  await xinqi.see("确认提交自查", "h1");
  await xinqi.see("没有上传佐证材料的项目（17 项）", "#no-evidence");
  await xinqi.notSee("尚未标记完成的项目");
  await xinqi.shot("submit-confirm-phone");
  await xinqi.click(xinqi.button(`确认提交（自查总分 ${shownTotal}）`));
  await xinqi.see("已提交", ".summary");
  await xinqi.see("审核领导 王建国");
  await xinqi.notSee("提交自查");
  expected.xinqi.push(
    `GET /c/:id/u/:id/i/${LATE_ITEM}`,
    `GET /c/:id/u/:id/i/${LATE_ITEM}?saved=done`,
    "GET /c/:id/u/:id",
    "POST /c/:id/u/:id/submit",
    "GET /c/:id/u/:id",
  );

  // 3. The assessor of the district office, at a desk, reviews 新碶街道's basic items.
  console.log("3. the assessor reviews at a desk");
  await assessor.login();
  await assessor.click(assessor.link(CAMPAIGN));
  await assessor.see(/审核 · 区考核办/, "h1");
  await assessor.notSee(ref("management.1"));
  const row = (item) => assessor.page.locator("main tr", { hasText: UNIT }).filter({ hasText: ref(item) });
  for (const item of ["basic.1", "basic.2", "basic.3", "basic.4"]) {
    assert.equal((await row(item).locator(".state").innerText()).trim(), "待审核", `${item} waits for review`);
  }
  expected.kaoheban.push(...LOGIN, "GET /", "GET /c/:id/review");
  await assessor.click(row("basic.1").getByRole("link"));
  await assessor.see(`${UNIT} · ${ref("basic.1")}`, "h1");
  await assessor.click(assessor.button("确认"));
  await assessor.see("已确认。", "[role=status]");
  await assessor.click(assessor.link(`下一项 ${ref("basic.2")}`, assessor.page.locator("nav.pager")));
  await assessor.click(assessor.button("确认"));
  await assessor.see("已确认。", "[role=status]");
  expected.kaoheban.push(
    "GET /c/:id/u/:id/r/basic.1",
    "GET /c/:id/u/:id/r/basic.1?saved=confirmed",
    "GET /c/:id/u/:id/r/basic.2",
    "GET /c/:id/u/:id/r/basic.2?saved=confirmed",
  );

  // basic.3 counts the unit's records: the two articles the office has not confirmed
  // (and the one declared today) count in the self-check only. The preview shows both
  // columns; confirming the item with different scores needs the reason.
  await assessor.click(assessor.link(`下一项 ${ref("basic.3")}`, assessor.page.locator("nav.pager")));
  const selfB3 = num(await assessor.text("#preview .columns > div:first-child h3 strong"));
  const assessedB3 = num(await assessor.text("#preview strong.changed"));
  assert.ok(assessedB3 < selfB3, `the assessed score of basic.3 (${assessedB3}) is below the self-score (${selfB3})`);
  await assessor.see("在台账记录里确认或不予确认");
  await assessor.shot("review-item-desktop", false);
  await assessor.click(assessor.button("确认"));
  await assessor.see(`考核分 ${assessedB3} 与自查分 ${selfB3} 不同，请写明理由`, "[role=alert]");
  await assessor.field("考核分与自查分不同的理由").fill("信息录用以区信息办确认的篇数为准");
  await assessor.click(assessor.button("确认"));
  await assessor.see("已确认。", "[role=status]");
  expected.kaoheban.push("GET /c/:id/u/:id/r/basic.3", "POST /c/:id/u/:id/r/basic.3", "GET /c/:id/u/:id/r/basic.3?saved=confirmed");

  // basic.4: returned to the unit with a comment.
  await assessor.click(assessor.link(`下一项 ${ref("basic.4")}`, assessor.page.locator("nav.pager")));
  await assessor.page.locator("details.return summary").click();
  await assessor.field("退回意见").fill("请上传两次培训的签到表");
  await assessor.click(assessor.button("退回此项"));
  await assessor.see("已退回此项", "[role=status]");
  await assessor.click(assessor.link("返回审核列表", assessor.page.locator("nav.pager")));
  assert.equal((await row("basic.3").locator(".state").innerText()).trim(), "已确认");
  assert.equal((await row("basic.4").locator(".state").innerText()).trim(), "已退回");
  expected.kaoheban.push("GET /c/:id/u/:id/r/basic.4", "GET /c/:id/u/:id/r/basic.4?saved=returned", "GET /c/:id/review");

  // 4. The reporter sees the return, fixes the item and resubmits.
  console.log("4. the reporter fixes the returned item and resubmits");
  await xinqi.click(xinqi.link("我的自查", xinqi.page.locator("nav.menu")));
  await xinqi.see("已退回，请修改后重新提交", ".badge");
  await xinqi.click(xinqi.link(CAMPAIGN));
  await xinqi.see("考核组退回了以下项目");
  await xinqi.see("请上传两次培训的签到表");
  await xinqi.click(xinqi.link(ref("basic.4"), xinqi.page.locator("section.alert")));
  await xinqi.see("考核组退回此项，请修改后重新提交：请上传两次培训的签到表", "main [role=note]");
  await xinqi.field("业务培训").fill(FACTS["basic.4.sessions"]);
  await xinqi.field("佐证材料（可一次选多个文件）").setInputFiles({ name: "业务培训签到表.pdf", mimeType: "application/pdf", buffer: pdf("Training sign-in sheets") });
  await xinqi.click(xinqi.button("保存并标记完成"));
  await xinqi.see("已保存，此项标记为已完成；1 个佐证材料已上传", "[role=status]");
  await xinqi.see("业务培训签到表.pdf", "ul.files");
  await xinqi.click(xinqi.link("返回项目列表", xinqi.page.locator("nav.pager")));
  await xinqi.field("联系电话").fill("0574-86781234");
  await xinqi.field("审核领导").fill("王建国");
  await xinqi.click(xinqi.button("提交自查（下一步核对后确认）"));
  await xinqi.click(xinqi.button(/^确认提交（自查总分 [\d.]+）$/));
  await xinqi.see("已提交", ".summary");
  expected.xinqi.push(
    "GET /",
    "GET /c/:id/u/:id",
    "GET /c/:id/u/:id/i/basic.4",
    "GET /c/:id/u/:id/i/basic.4?saved=done&files=1",
    "GET /c/:id/u/:id",
    "POST /c/:id/u/:id/submit",
    "GET /c/:id/u/:id",
  );

  // 5. The assessor confirms the corrected item.
  console.log("5. the assessor confirms the resubmitted item");
  await assessor.reload();
  assert.equal((await row("basic.4").locator(".state").innerText()).trim(), "待复审");
  await assessor.click(row("basic.4").getByRole("link"));
  await assessor.see("业务培训签到表.pdf");
  await assessor.click(assessor.button("确认"));
  await assessor.see("已确认。", "[role=status]");
  await assessor.click(assessor.link("返回审核列表", assessor.page.locator("nav.pager")));
  for (const item of ["basic.1", "basic.2", "basic.3", "basic.4"]) {
    assert.equal((await row(item).locator(".state").innerText()).trim(), "已确认", `${item} is confirmed`);
  }
  await assessor.shot("review-queue-desktop");
  expected.kaoheban.push("GET /c/:id/review", "GET /c/:id/u/:id/r/basic.4", "GET /c/:id/u/:id/r/basic.4?saved=confirmed", "GET /c/:id/review");

  // At volume: one item across all units, those needing no change confirmed at once
  // (each still in the audit log); units that have not submitted say so.
  await assessor.page.locator("form.filters select[name=item]").selectOption("innovation.1");
  await assessor.page.locator("form.filters select[name=group]").selectOption("item");
  await assessor.click(assessor.button("筛选"));
  await assessor.see(ref("innovation.1"), "main section.card h2");
  await assessor.see("未提交");
  const boxes = assessor.page.locator("input[name=pick]");
  const picked = await boxes.count();
  assert.ok(picked >= 2, `several units' innovation.1 can be confirmed at once (${picked})`);
  await assessor.page.getByRole("button", { name: "全选／取消全选" }).click();
  for (let i = 0; i < picked; i++) assert.ok(await boxes.nth(i).isChecked(), "全选 checks every row");
  await assessor.shot("review-queue-by-item-desktop", false);
  await assessor.click(assessor.button("确认所选项目（按单位填报的数据，不作修改）"));
  await assessor.see(`已确认 ${picked} 项`, "[role=status]");
  assert.equal(await boxes.count(), 0, "nothing left to confirm for innovation.1");
  expected.kaoheban.push(
    "GET /c/:id/review?item=innovation.1&unit=&state=&group=item",
    `GET /c/:id/review?item=innovation.1&group=item&confirmed=${picked}&skipped=0`,
  );

  // 5b. The public-security bureau brings its registration rates from its own system,
  //     for every unit at once: a preview first (old → new, the unit that has not
  //     submitted held back), then all of it, confirming no item by itself.
  console.log("5b. a department imports its verified figures from its spreadsheet");
  const police = await new Person(browser, "gongan", DESKTOP, "desktop").open();
  people.push(police);
  await police.login();
  await police.click(police.link(CAMPAIGN));
  await police.see(/审核 · 区公安分局/, "h1");
  await police.click(police.link("导入核定数据", police.page.locator("p.campaign-links")));
  await police.see("导入核定数据 · 区公安分局", "h1");
  const rates = [
    "单位,管理工作第5项 信息登记率（%）,理由",
    "新碶街道,97%,",
    "小港街道,96.5,按系统 11 月底数据复核",
    "春晓街道,95.5,",
  ].join("\r\n");
  await police.field(/表格文件/).setInputFiles({ name: "流动人口登记率.csv", mimeType: "text/csv", buffer: Buffer.from("\uFEFF" + rates + "\r\n", "utf8") });
  await police.field(/导入理由/).fill("以公安分局流动人口信息系统 11 月数据为准");
  await police.click(police.button("预览"));
  await police.see("导入预览：流动人口登记率.csv", "#preview h2");
  await police.see("将改动 2 个数据", "#preview");
  await police.see("春晓街道（第 4 行）", "#preview");
  await police.see("按系统 11 月底数据复核", "#preview");
  await police.shot("import-preview-desktop", false);
  await police.click(police.button("确认导入这 2 个数据"));
  await police.see("已导入，改动了 2 个数据", "[role=status]");
  await police.see("流动人口登记率.csv", "main");
  await police.click(police.link("审核", police.page.locator("p.crumbs")));
  const policeRow = police.page.locator("main tr", { hasText: UNIT }).filter({ hasText: ref("management.5") });
  assert.equal((await policeRow.locator(".state").innerText()).trim(), "待审核", "an import confirms no item");
  expected.gongan.push(...LOGIN, "GET /", "GET /c/:id/review", "GET /c/:id/review/import", "POST /c/:id/review/import", "GET /c/:id/review/import?applied=2", "GET /c/:id/review");

  // 6. The admin computes the results (other departments have not finished: the admin
  //    decides to compute anyway) and publishes them.
  console.log("6. the admin computes and publishes the results");
  await admin.click(admin.link(CAMPAIGN, admin.page.locator("p.crumbs")));
  await admin.click(admin.link("结果", admin.page.locator("p.campaign-links")));
  await admin.see("结果尚未计算");
  await admin.click(admin.button("计算结果"));
  await admin.see(/还有 \d+ 项未确认/, "h1");
  await admin.click(admin.button("仍然计算结果"));
  await admin.see("考核结果", "h1");
  await admin.see(/计算时有 \d+ 项未经确认/);
  const ranking = admin.page.locator("table.ranking");
  const headers = (await ranking.locator("thead th").allInnerTexts()).map((t) => t.trim());
  const cells = (await ranking.locator("tbody tr", { hasText: UNIT }).locator("td").allInnerTexts()).map((t) => t.trim());
  const col = (name) => cells[headers.indexOf(name)];
  const assessedTotal = selfTotal - (selfB3 - assessedB3);
  same(num(col("自查总分")), selfTotal, "the ranking's 自查总分 of 新碶街道");
  same(num(col("总分")), assessedTotal, "the ranking's 总分 of 新碶街道 (basic.3 corrected)");
  same(num(col("差距")), assessedTotal - selfTotal, "the ranking's 差距 of 新碶街道");
  assert.equal(await ranking.locator("tbody tr").count(), 11, "eleven units ranked");
  await admin.shot("results-desktop");
  await admin.click(admin.link("考核任务", admin.page.locator("nav.menu")));
  await admin.click(admin.link(CAMPAIGN));
  await admin.click(admin.button("公示结果", admin.page.locator("#publication")));
  await admin.see("已公示", "[role=status]");
  await admin.see(/公示期 \d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}|首次公示于/, "#publication");
  expected.admin.push(
    "GET /admin/c/:id",
    "GET /c/:id/results",
    "POST /admin/c/:id/results",
    "GET /c/:id/results",
    "GET /admin",
    "GET /admin/c/:id",
    "GET /admin/c/:id?saved=published",
  );

  // 7. The reporter reads the unit's result and appeals basic.3.
  console.log("7. the reporter appeals an item");
  await xinqi.click(xinqi.link("我的自查", xinqi.page.locator("nav.menu")));
  // Published: the reporter's home gives the result itself, not "submitted".
  const badge = await xinqi.see(/已公示：考核分 [\d.]+，第 \d+ 名/, `li.card:has-text("${CAMPAIGN}") .badge`);
  same(num(badge.match(/考核分 ([\d.]+)/)[1]), assessedTotal, "the home page's 考核分");
  await xinqi.click(xinqi.link(CAMPAIGN));
  await xinqi.see(`${UNIT} · 考核结果`, "h1");
  same(num(await xinqi.text(".summary .total strong")), assessedTotal, "the unit's 考核总分");
  const b3 = xinqi.page.locator("table.official tbody tr", { hasText: ref("basic.3") });
  same(num(await b3.locator("strong.changed").innerText()), assessedB3, "basic.3's 考核分, marked as changed");
  assert.ok((await b3.innerText()).includes("对此项申诉"));
  await xinqi.shot("results-unit-phone");
  await xinqi.click(b3.getByRole("link", { name: "对此项申诉" }));
  await xinqi.see(`申诉：${ref("basic.3")}`, "h1");
  await xinqi.see("信息录用以区信息办确认的篇数为准");
  await xinqi.field("申诉理由").fill("另有 2 篇信息被市里录用，见附件通知");
  await xinqi.field("佐证材料").setInputFiles({ name: "市信息办录用通知.pdf", mimeType: "application/pdf", buffer: pdf("Adoption notice") });
  await xinqi.click(xinqi.button("提交申诉"));
  await xinqi.see("已申诉（待答复）");
  expected.xinqi.push("GET /", "GET /c/:id/results/u/:id", "GET /c/:id/u/:id/appeal/basic.3", "GET /c/:id/u/:id/appeal/basic.3");

  // 8. The assessor answers the appeal.
  console.log("8. the assessor answers the appeal");
  await assessor.click(assessor.link("申诉"));
  const appeal = assessor.page.locator("main section.card", { hasText: `${UNIT} · ${ref("basic.3")}` });
  await assessor.see("待答复", "main section.card h2");
  assert.ok((await appeal.innerText()).includes("另有 2 篇信息被市里录用"));
  assert.ok((await appeal.innerText()).includes("市信息办录用通知.pdf"));
  await appeal.getByLabel("答复").fill("市级录用已计入区信息办通报，维持考核分");
  await assessor.click(appeal.getByRole("button", { name: "不予采纳" }));
  await assessor.see("不予采纳", "main section.card h2");
  await assessor.see("答复：市级录用已计入区信息办通报，维持考核分");
  expected.kaoheban.push("GET /c/:id/appeals", "GET /c/:id/appeals");
  await xinqi.reload();
  await xinqi.see("已申诉（不予采纳）");
  await xinqi.see("市级录用已计入区信息办通报，维持考核分");
  expected.xinqi.push("GET /c/:id/u/:id/appeal/basic.3");

  // 9. The admin locks the campaign before the window ends: a reason is required.
  console.log("9. the admin locks the campaign");
  await admin.click(admin.button("定稿", admin.page.locator("#lock")));
  await admin.see("未定稿：请填写提前定稿的理由。", "[role=alert]");
  await admin.field("理由", admin.page.locator("#lock")).fill("申诉已答复，经区考核领导小组同意提前定稿");
  await admin.click(admin.button("定稿", admin.page.locator("#lock")));
  await admin.see("已定稿。本任务的数据、审核、申诉和设置均已锁定", "main .alert.ok");
  await admin.see("本任务已定稿（锁定）");
  const lockRow = admin.page.locator("#lock table tbody tr").first();
  assert.ok((await lockRow.innerText()).includes("申诉已答复，经区考核领导小组同意提前定稿"));
  assert.match(await lockRow.locator("code").innerText(), /^\d+:[0-9a-f]{16,}/, "the lock keeps the audit chain's head");
  expected.admin.push("POST /admin/c/:id/lock", "GET /admin/c/:id?saved=locked");
  await xinqi.click(xinqi.link(`${UNIT} · 考核结果`, xinqi.page.locator("p.crumbs")));
  await xinqi.notSee("对此项申诉");
  expected.xinqi.push("GET /c/:id/results/u/:id");

  // 10. The documents: the admin downloads the summary table and the bulletin, the
  //     reporter the unit's official table (Word and Excel) and opens the print view.
  console.log("10. the exports download and open");
  mkdirSync(path.join(OUT, "downloads"), { recursive: true });
  await admin.click(admin.link("结果", admin.page.locator("p.campaign-links")));
  await admin.shotOf("results-ranking-desktop", admin.page.locator("main section.card", { has: admin.page.locator("table.ranking") }), admin.page.locator("main section.charts"));
  const summary = await download(admin, admin.link("下载汇总表（Excel）"));
  assert.ok(summary.text.includes(UNIT), `${summary.name} lists ${UNIT}`);
  assert.match(summary.xml, new RegExp(`<v>${assessedTotal}</v>`), `${summary.name} holds ${UNIT}'s total ${assessedTotal}`);
  const bulletin = await download(admin, admin.link("下载通报草稿（Word）"));
  assert.ok(bulletin.text.includes(UNIT), `${bulletin.name} names ${UNIT}`);
  expected.admin.push("GET /c/:id/results");
  const docx = await download(xinqi, xinqi.link("下载考核表（Word）"));
  for (const want of [UNIT, "考核内容", "评分标准", "自查分", "考核分"]) assert.ok(docx.text.includes(want), `${docx.name} has ${want}`);
  const xlsx = await download(xinqi, xinqi.link("下载考核表（Excel）"));
  for (const want of [UNIT, "考核内容", "自查分", "考核分"]) assert.ok(xlsx.text.includes(want), `${xlsx.name} has ${want}`);
  await xinqi.click(xinqi.link("打印"));
  await xinqi.see(`单位：${UNIT}`, "body");
  await xinqi.see("考核内容", "table.official");
  await xinqi.click(xinqi.page.getByRole("link", { name: "← 返回" }));
  await xinqi.see(`${UNIT} · 考核结果`, "h1");
  expected.xinqi.push("GET /c/:id/results/u/:id/print", "GET /c/:id/results/u/:id");

  // 10a. Rectification (整改) goes on after the lock: publication made 新碶街道's lost
  //      point (basic.3, corrected by the assessor) a problem; the admin sets the
  //      deadline, the reporter plans and reports with evidence on the phone, the
  //      office's assessor signs it off, and the ledger says so.
  console.log("10a. rectification: a plan, a report, a sign-off");
  const day = (offset) => new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);
  await admin.click(admin.link("整改情况"));
  await admin.see("整改", "h1");
  await admin.see("尚未设定");
  await admin.field("整改期限").fill(day(60));
  await admin.click(admin.button("保存期限"));
  await admin.see("已保存整改期限。", "[role=status]");
  const problemRow = admin.page.locator("main table.items tbody tr", { hasText: UNIT });
  assert.ok((await problemRow.innerText()).includes(ref("basic.3")), "新碶街道's problem is basic.3");
  await admin.shot("rectify-list-desktop", false);
  await xinqi.click(xinqi.link("整改（1 个问题未完成）"));
  await xinqi.click(xinqi.link(ref("basic.3"), xinqi.page.locator("main table.items")));
  await xinqi.see(`${UNIT}：${ref("basic.3")}`, "h1");
  await xinqi.see("待制定计划");
  await xinqi.field("整改措施").fill("建立信息报送台账，每月向区信息办报送两篇以上");
  await xinqi.field("责任人").fill("综治办 王晓");
  await xinqi.field("计划完成日期").fill(day(20));
  await xinqi.click(xinqi.button("保存整改计划"));
  await xinqi.see("整改中");
  await xinqi.field("做了什么、结果如何").fill("已建立信息报送台账，本月报送 3 篇，录用 2 篇");
  await xinqi.field("佐证材料").setInputFiles({ name: "信息报送台账.pdf", mimeType: "application/pdf", buffer: pdf("Report ledger") });
  await xinqi.click(xinqi.button("报送"));
  await xinqi.see("待销号");
  await xinqi.see("信息报送台账.pdf");
  await xinqi.shot("rectify-report-phone");
  expected.xinqi.push("GET /c/:id/rectify?unit=1", "GET /c/:id/rectify/:id", "GET /c/:id/rectify/:id", "GET /c/:id/rectify/:id");
  await assessor.click(assessor.link("考核", assessor.page.locator("nav.menu")));
  await assessor.click(assessor.link(CAMPAIGN));
  await assessor.click(assessor.link("整改", assessor.page.locator("p.campaign-links")));
  await assessor.click(assessor.link(ref("basic.3"), assessor.page.locator("main table.items")));
  await assessor.see("已建立信息报送台账");
  await assessor.field("意见").fill("台账齐全，整改到位");
  await assessor.click(assessor.button("销号"));
  await assessor.see("已销号");
  expected.kaoheban.push("GET /", "GET /c/:id/review", "GET /c/:id/rectify", "GET /c/:id/rectify/:id", "GET /c/:id/rectify/:id");
  await admin.reload();
  await admin.see("已销号", "main table.items");
  const ledger = await download(admin, admin.link("下载整改台账（Excel）"));
  for (const want of [UNIT, "已销号", "台账齐全，整改到位"]) assert.ok(ledger.text.includes(want), `${ledger.name} has ${want}`);
  expected.admin.push("GET /c/:id/rectify", "GET /c/:id/rectify?saved=deadline", "GET /c/:id/rectify?saved=deadline");

  // 10b. Next year: the admin copies the campaign (units and departments come along,
  //      dates a year on), fills every unit's base data from one pasted sheet and
  //      issues the draft once its check is clear.
  console.log("10b. the admin tries next year's draft rubric, copies the year and issues it");
  // What-if: next year's draft (信息登记率 97%) on this year's facts, first as the
  // annex came (imported, keys of its own: its facts are mapped to this year's by hand).
  await admin.click(admin.link("评分细则", admin.page.locator("header")));
  await admin.click(admin.link("新旧细则对比"));
  await admin.page.locator("select[name=rubric]").selectOption({ label: await admin.page.locator("select[name=rubric] option", { hasText: "征求意见稿" }).innerText() });
  await admin.page.locator("select[name=campaign]").selectOption({ label: CAMPAIGN });
  await admin.click(admin.button("试算"));
  await admin.see("项数据还没有对应往年的数据", "#unmapped");
  await admin.click(admin.link("核对数据对应"));
  await admin.see("建议，请核对", "#mapping");
  assert.equal(await admin.page.locator("select[name='m.glgz.5.xxdjl']").inputValue(), "management.5.registration_rate", "the rate is suggested");
  await admin.field("开展推广活动").selectOption({ label: "（往年没有这项数据）" });
  await admin.shot("whatif-map-desktop", false);
  await admin.click(admin.button("保存对应并试算"));
  await admin.see("已保存数据对应", "[role=status]");
  await admin.see("开展推广活动（新增数据，往年没有）", "#facts");
  await admin.see("管理工作第5项", "#moves");
  // Then as the office wrote it with this year's keys: every fact carried by key but the new item's.
  await admin.page.locator("select[name=rubric]").selectOption({ label: await admin.page.locator("select[name=rubric] option", { hasText: "北仑区街道流动人口服务管理考核评分细则（2027 年度" }).innerText() });
  await admin.click(admin.button("试算"));
  await admin.see("各单位的总分和名次", "#compare");
  assert.equal(await admin.page.locator("#compare tbody tr").count(), 11);
  await admin.see("网格化管理和信息登记", "#moves");
  await admin.see("有 1 项数据还没有对应往年的数据", "#unmapped");
  await admin.shot("whatif-desktop", false);
  await admin.click(admin.link("考核任务", admin.page.locator("header")));
  await admin.click(admin.link(CAMPAIGN));
  await admin.click(admin.link("复制为下一年度任务"));
  await admin.see(`复制自“${CAMPAIGN}”`, "[role=status]");
  assert.equal(await admin.page.locator("input[name=year]").inputValue(), "2027");
  // Next year's draft is the newest rubric: the copy takes it.
  assert.ok((await admin.page.locator("select[name=rubric] option:checked").innerText()).includes("2027 年度"), "the copy takes the 2027 draft");
  await admin.click(admin.button("创建考核任务"));
  await admin.see("草稿：尚未下发", "#issue");
  await admin.see("11 个单位的基础数据未填写", "#issue");
  assert.equal((await admin.page.locator('select[name="d.management.1"] option:checked').innerText()).trim(), "区公安分局", "departments come along");
  await admin.page.locator("#paste summary").click();
  const sheet = ["单位\t区域流动人口数", ...["新碶街道", "小港街道", "大碶街道", "霞浦街道", "柴桥街道", "戚家山街道", "春晓街道", "梅山街道", "白峰街道", "郭巨街道", "大榭街道"].map((u, i) => `${u}\t${20000 + 1000 * i}`)].join("\n");
  await admin.field("或粘贴表格内容").fill(sheet);
  await admin.click(admin.button("保存基础数据"));
  await admin.see("已保存各单位的基础数据。", "[role=status]");
  await admin.notSee("基础数据未填写");
  await admin.shot("campaign-draft-desktop", false);
  await admin.click(admin.button("下发给各单位"));
  await admin.see("已下发。", "[role=status]");
  expected.admin.push(
    "GET /admin/rubrics",
    "GET /admin/whatif",
    "GET /admin/whatif?rubric=3&campaign=1",
    "GET /admin/whatif/map?rubric=3&campaign=1",
    "GET /admin/whatif?rubric=3&campaign=1&saved=map",
    "GET /admin/whatif?rubric=4&campaign=1",
    "GET /admin",
    "GET /admin/c/:id",
    "GET /admin/campaigns/new?from=1",
    "GET /admin/c/:id?saved=created",
    "GET /admin/c/:id?saved=facts",
    "GET /admin/c/:id?saved=issued",
  );

  // 11. A leader reads the ranking on a phone; the auditor reads the log.
  console.log("11. a leader reads the results; the auditor reads the log");
  const leader = await new Person(browser, "lingdao", PHONE, "phone").open();
  people.push(leader);
  await leader.login();
  // The leader's first screen is the latest results: ranking with last year's rank,
  // the biggest movers, where the district lost points.
  await leader.see("考核结果", "h1");
  await leader.see(/名次变化较大的单位（与 2025 年度相比）/, "#movers");
  await leader.see(ref("basic.3"), "#losses");
  assert.equal(await leader.page.locator("table.ranking tbody tr").count(), 11);
  assert.ok((await leader.page.locator("table.ranking th", { hasText: "升降" }).count()) === 1, "the ranking shows 升降");
  // On a phone a unit's name stays on one line (the table scrolls sideways).
  const name = await leader.page.locator("table.ranking tbody td.unit").first().boundingBox();
  const line = await leader.page.locator("table.ranking tbody td.num").first().boundingBox();
  assert.ok(name.height <= line.height * 1.2, `a unit's name is one line high (${name.height} vs ${line.height})`);
  await leader.shot("results-phone");
  // Help is one tap away: the guide for the leader's role, its pictures loaded.
  await leader.click(leader.link("操作指南", leader.page.locator("header")));
  await leader.see("操作指南 · 领导", "h1");
  for (const img of await leader.page.locator("main img").all()) {
    assert.ok(await img.evaluate((i) => i.complete && i.naturalWidth > 0), "the guide's pictures load");
  }
  // Where the district lost its points: the heat table and the rules that cost most.
  await leader.click(leader.link("考核", leader.page.locator("header")));
  await leader.click(leader.link("失分分析"));
  await leader.see("失分最多的原因", "#causes");
  assert.equal(await leader.page.locator("#heat tbody tr").count(), 11, "a row per unit");
  await leader.shot("gaps-phone");
  expected.lingdao.push(...LOGIN, "GET /c/:id/results", "GET /guide", "GET /c/:id/results", "GET /c/:id/gaps");
  const auditor = await new Person(browser, "shenji", DESKTOP, "desktop").open();
  people.push(auditor);
  await auditor.login();
  await auditor.see("审计日志", "h1");
  await auditor.notSee("审计日志被改动过");
  // The log reads as sentences (the codes stay in the exported file).
  for (const action of ["定稿了考核任务", "导入了核定数据", "申诉", "退回了一个项目请单位修改", "审核确认了一个项目", "提交了自查报告", "计算了考核结果", "对整改问题销号", "报送了整改完成情况"]) {
    await auditor.see(action);
  }
  expected.shenji.push(...LOGIN, "GET /audit");

  // Each person went through exactly these pages: a page dropped from the journey (a
  // missing link, a form that no longer leads where it did) shows here.
  for (const p of people) assert.deepEqual(p.pages, expected[p.username], `the pages ${p.username} went through`);
  return { people, campaignPath };
}

// ── run ───────────────────────────────────────────────────────────────────────

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--lang=zh-CN"],
});
let failed = null;
let result = null;
console.log(`browser year: ${browser.version()} on ${BASE}; screenshots in ${SHOTS}`);
console.log(`  ${"who".padEnd(8)} ${"device".padEnd(7)} ${"".padEnd(4)} ${"page".padEnd(46)} ${"bytes".padStart(9)} ${"load".padStart(8)}`);
try {
  result = await year(browser);
} catch (e) {
  failed = e;
}
if (failed) {
  for (const ctx of browser.contexts()) {
    for (const [i, page] of ctx.pages().entries()) {
      const name = `failure-${browser.contexts().indexOf(ctx)}-${i}`;
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }).catch(() => {});
      writeFileSync(path.join(SHOTS, `${name}.html`), await page.content().catch(() => ""));
    }
  }
}
await browser.close();

const serious = visits.flatMap((v) =>
  v.axe
    .filter((a) => a.impact === "serious" || a.impact === "critical")
    .map((a) => `${v.who} ${v.method} ${v.path}: ${a.impact} ${a.id} (${a.help}) at ${a.nodes.join(" | ")}`),
);
const table = visits.map((v) => [v.who, v.device, v.method, v.path, v.bytes, Math.round(v.ms), v.requests, v.axe.map((a) => `${a.impact}:${a.id}`).join(" ")].join("\t"));
writeFileSync(path.join(OUT, "pages.tsv"), ["who\tdevice\tmethod\tpage\tbytes\tms\trequests\taxe", ...table].join("\n") + "\n");
const bytes = visits.reduce((n, v) => n + v.bytes, 0);
const slowest = visits.reduce((a, v) => (v.ms > (a?.ms ?? -1) ? v : a), null);
const heaviest = visits.reduce((a, v) => (v.bytes > (a?.bytes ?? -1) ? v : a), null);
console.log(
  `browser year: ${visits.length} pages and ${downloads.length} downloads, ${kb(bytes)} transferred for the pages; heaviest ${heaviest ? `${heaviest.path} ${kb(heaviest.bytes)}` : "-"}; ` +
    `slowest ${slowest ? `${slowest.path} ${Math.round(slowest.ms)} ms` : "-"}; ${((Date.now() - started) / 1000).toFixed(1)} s; table in ${path.join(OUT, "pages.tsv")}`,
);
if (failed) {
  console.error(`\nbrowser year FAILED: ${failed.stack ?? failed}`);
  console.error(`screenshots and HTML of each open page: ${SHOTS}/failure-*`);
}
if (problems.length) console.error(`\nbrowser year: the pages had problems:\n  ${problems.join("\n  ")}`);
if (serious.length) console.error(`\nbrowser year: serious or critical accessibility violations (axe-core):\n  ${serious.join("\n  ")}`);
process.exit(failed || problems.length || serious.length ? 1 : 0);
