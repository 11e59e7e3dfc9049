//! Writing a draft as a rubric file (docs/rubric-format.md), with the words each rule
//! came from as `# 原文「…」` comments and the flags as `# ⚠ …` comments beside what
//! they concern. A phrase not read becomes a placeholder rule `{ kind = "待定", … }`,
//! and a rule missing a part leaves that field out, so that `kaohe rubric check` refuses
//! the file at that line until a person settles it; a draft with nothing to settle loads
//! as it is.

use std::fmt::Write;

use kaohe_core::Decimal;

use super::draft::*;

fn num(d: Decimal) -> String {
    kaohe_core::fmt_decimal(d)
}

/// A TOML basic string.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text made safe for a one-line comment.
fn line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn flag_line(out: &mut String, indent: &str, f: &Flag) {
    let mark = if f.kind == FlagKind::Note { "" } else { "⚠ " };
    let _ = writeln!(
        out,
        "{indent}# {mark}{}：{}",
        f.kind.word(),
        line(&f.message)
    );
}

fn input_line(i: &DraftInput) -> String {
    let mut s = format!(
        "{{ key = {}, label = {}, type = \"{}\"",
        string(&i.key),
        string(&i.label),
        i.kind.name()
    );
    if let Some(m) = i.min {
        let _ = write!(s, ", min = {}", num(m));
    }
    if let Some(m) = i.max {
        let _ = write!(s, ", max = {}", num(m));
    }
    if let Some(u) = &i.unit {
        let _ = write!(s, ", unit = {}", string(u));
    }
    s.push_str(" }");
    s
}

fn check_line(c: &DraftCheck) -> String {
    let mut s = String::from("{ ");
    if let Some((a, b)) = &c.ratio {
        let _ = write!(s, "ratio = [{}, {}]", string(a), string(b));
    } else if let Some(i) = &c.input {
        let _ = write!(s, "input = {}", string(i));
    }
    match c.threshold {
        Some(Threshold::AtLeast(n)) => {
            let _ = write!(s, ", at_least = {}", num(n));
        }
        Some(Threshold::AtMost(n)) => {
            let _ = write!(s, ", at_most = {}", num(n));
        }
        None => {}
    }
    if let Some(l) = &c.label {
        let _ = write!(s, ", label = {}", string(l));
    }
    s.push_str(" },");
    let _ = write!(s, "  # 「{}」", line(&c.source_text));
    s
}

fn checks_block(out: &mut String, checks: &[DraftCheck]) {
    if checks.is_empty() {
        return;
    }
    out.push_str(", checks = [\n");
    for c in checks {
        let _ = writeln!(out, "    {}", check_line(c));
    }
    out.push_str("  ]");
}

fn terms_block(out: &mut String, field: &str, terms: &[DraftTerm]) {
    let _ = writeln!(out, ", {field} = [");
    for t in terms {
        let _ = writeln!(
            out,
            "    {{ input = {}, each = {} }},",
            string(&t.input),
            num(t.each)
        );
    }
    out.push_str("  ]");
}

fn rule(out: &mut String, r: &DraftRule, award_mode: bool) {
    let _ = writeln!(out, "  # 原文「{}」", line(&r.source_text));
    for f in &r.flags {
        flag_line(out, "  ", f);
    }
    let _ = write!(out, "  {{ kind = \"{}\"", r.kind.name());
    if let Some(l) = &r.label {
        let _ = write!(out, ", label = {}", string(l));
    }
    match &r.kind {
        DraftKind::PerCount { input, each, max } => {
            let _ = write!(out, ", input = {}, each = {}", string(input), num(*each));
            if let Some(m) = max {
                let _ = write!(out, ", max = {}", num(*m));
            }
        }
        DraftKind::Checks { checks, each, once } => {
            let apply = if *once { "once" } else { "each" };
            let _ = write!(out, ", each = {}, apply = \"{apply}\"", num(*each));
            checks_block(out, checks);
        }
        DraftKind::Shortfall {
            input,
            required,
            each,
            step,
            round,
            max,
        } => {
            let _ = write!(out, ", input = {}", string(input));
            if let Some(n) = required {
                let _ = write!(out, ", required = {}", num(*n));
            }
            if *step != Decimal::ONE {
                let _ = write!(out, ", step = {}", num(*step));
            }
            let _ = write!(out, ", each = {}", num(*each));
            if *round != "down" {
                let _ = write!(out, ", round = \"{round}\"");
            }
            if let Some(m) = max {
                let _ = write!(out, ", max = {}", num(*m));
            }
        }
        DraftKind::Proportional {
            input,
            ratio,
            target,
            max,
        } => {
            if let Some(i) = input {
                let _ = write!(out, ", input = {}", string(i));
            }
            if let Some((n, d)) = ratio {
                let _ = write!(out, ", ratio = [{}, {}]", string(n), string(d));
            }
            if let Some(t) = target {
                let _ = write!(out, ", target = {}", num(*t));
            }
            if let Some(m) = max {
                let _ = write!(out, ", max = {}", num(*m));
            }
        }
        DraftKind::Tiers {
            input,
            above,
            tiers,
        } => {
            let side = if *above { "above" } else { "below" };
            let bands: Vec<String> = tiers
                .iter()
                .map(|(b, d)| format!("{{ {side} = {}, deduct = {} }}", num(*b), num(*d)))
                .collect();
            let _ = write!(
                out,
                ", input = {}, tiers = [{}]",
                string(input),
                bands.join(", ")
            );
        }
        DraftKind::Below {
            input,
            reference,
            deduct,
        } => {
            let _ = write!(
                out,
                ", input = {}, reference = {}, deduct = {}",
                string(input),
                string(reference),
                num(*deduct)
            );
        }
        DraftKind::Award { terms, cap } => {
            if let Some(c) = cap {
                let _ = write!(out, ", cap = {}", num(*c));
            }
            terms_block(out, "terms", terms);
        }
        DraftKind::Tiered { levels, cap } => {
            if let Some(c) = cap {
                let _ = write!(out, ", cap = {}", num(*c));
            }
            terms_block(out, "levels", levels);
        }
        DraftKind::Discretionary { add, max, input } => {
            if *add != award_mode {
                let _ = write!(
                    out,
                    ", direction = \"{}\"",
                    if *add { "add" } else { "deduct" }
                );
            }
            if let Some(m) = max {
                let _ = write!(out, ", max = {}", num(*m));
            }
            if let Some(i) = input {
                let _ = write!(out, ", input = {}", string(i));
            }
        }
        DraftKind::Indicator { checks } => checks_block(out, checks),
        DraftKind::Veto { checks, downgrade } => {
            if *downgrade {
                out.push_str(", effect = \"downgrade\"");
            }
            checks_block(out, checks);
        }
    }
    out.push_str(" },\n");
}

fn item(out: &mut String, it: &DraftItem, bonus: bool) {
    out.push_str("\n[[categories.items]]\n");
    let _ = writeln!(out, "id = {}", string(&it.id));
    if let Some(n) = &it.name {
        let _ = writeln!(out, "name = {}", string(n));
    }
    if let Some(p) = it.points {
        let _ = writeln!(out, "points = {}", num(p));
    }
    let award_mode = bonus || it.award;
    if it.award && !bonus {
        out.push_str("mode = \"award\"\n");
    }
    if let Some(c) = it.cap {
        let _ = writeln!(out, "cap = {}", num(c));
    }
    let _ = writeln!(out, "criteria = {}", string(&it.criteria));
    for f in it.flags.iter().filter(|f| f.kind != FlagKind::Unread) {
        flag_line(out, "", f);
    }
    if !it.inputs.is_empty() {
        out.push_str("inputs = [\n");
        for i in &it.inputs {
            let _ = writeln!(out, "  {},", input_line(i));
        }
        out.push_str("]\n");
    }
    let unread: Vec<&Flag> = it
        .flags
        .iter()
        .filter(|f| f.kind == FlagKind::Unread)
        .collect();
    if it.rules.is_empty() && unread.is_empty() {
        out.push_str("rules = []\n");
        return;
    }
    out.push_str("rules = [\n");
    for r in &it.rules {
        rule(out, r, award_mode);
    }
    for f in unread {
        flag_line(out, "  ", f);
        let words = f.source_text.as_deref().unwrap_or("本项的规则");
        let _ = writeln!(
            out,
            "  {{ kind = \"待定\", label = {} }},",
            string(&format!("未读出的原文：{words}"))
        );
    }
    out.push_str("]\n");
}

impl Draft {
    /// The draft as a rubric file.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let blocking = self
            .all_flags()
            .iter()
            .filter(|(_, f)| f.kind.blocks())
            .count();
        let _ = writeln!(
            out,
            "# 评分细则草稿：由 kaohe rubric import 从 {} 读出。",
            line(&self.file)
        );
        out.push_str(
            "#
# 每条规则上方的「原文」是它所依据的原句；标 ⚠ 的地方需要人来看：
#   ⚠ 必须处理、⚠ 未读出：处理之前本文件不能加载（kaohe rubric check 会指出行号）；
#   ⚠ 请核对：读出的规则是建议，请对照原文核对；
#   ⚠ 需人工打分：酌情扣分、适当加分，考核时由考核人员填分数并写明理由。
# 输入的 key 是标签的拼音首字母，可改为更好记的名字（同一项目内不重复即可）。
# 扣分项最低 0 分、不超过其分值（扣完为止），是本格式的默认。
",
        );
        let _ = writeln!(
            out,
            "# 本草稿：⚠ 必须处理或未读出 {blocking} 处，请核对 {} 处，需人工打分 {} 处。",
            self.count(FlagKind::Review),
            self.count(FlagKind::Discretionary)
        );
        out.push_str("# 全部处理后，用 kaohe rubric check 检查本文件。\n\n[rubric]\n");
        let _ = writeln!(out, "id = {}", string(&self.id));
        let _ = writeln!(out, "title = {}", string(&self.title));
        if let Some(y) = self.year {
            let _ = writeln!(out, "year = {y}");
        }
        if let Some(t) = self.total {
            let _ = writeln!(out, "total = {}", num(t));
        }
        if let Some(s) = &self.source {
            let _ = writeln!(out, "source = {}", string(s));
        }
        for f in &self.flags {
            flag_line(&mut out, "", f);
        }
        for u in &self.unit_facts {
            out.push_str("\n# 单位级事实：由区里为每个单位设定（单位只读）。\n");
            let _ = writeln!(out, "# 原文「{}」", line(&u.source_text));
            out.push_str("[[unit_facts]]\n");
            let _ = writeln!(out, "key = {}", string(&u.key));
            let _ = writeln!(out, "label = {}", string(&u.label));
            let _ = writeln!(out, "type = \"{}\"", u.kind.name());
            if let Some(m) = u.min {
                let _ = writeln!(out, "min = {}", num(m));
            }
            if let Some(unit) = &u.unit {
                let _ = writeln!(out, "unit = {}", string(unit));
            }
        }
        for c in &self.categories {
            let points = match (c.bonus, c.points) {
                (true, _) => "加分项".to_string(),
                (false, Some(p)) => num(p),
                (false, None) => "分值未写明".to_string(),
            };
            let _ = writeln!(
                out,
                "\n# ───────────── {} {points} ─────────────",
                line(&c.name)
            );
            out.push_str("[[categories]]\n");
            let _ = writeln!(out, "id = {}", string(&c.id));
            let _ = writeln!(out, "name = {}", string(&c.name));
            if c.bonus {
                out.push_str("kind = \"bonus\"\n");
                if let Some(cap) = c.cap {
                    let _ = writeln!(out, "cap = {}", num(cap));
                }
            } else if let Some(p) = c.points {
                let _ = writeln!(out, "points = {}", num(p));
                if let Some(m) = c.max_deduction {
                    let _ = writeln!(out, "max_deduction = {}", num(m));
                }
            } else {
                out.push_str("# ⚠ 必须处理：表中没有这个类别的分值；请填上 points = …\n");
            }
            for it in &c.items {
                item(&mut out, it, c.bonus);
            }
        }
        out
    }
}
