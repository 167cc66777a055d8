// The document page: the side panel of categories, the codes on each clause, the keyboard, and
// saving. The server is the record: the page shows a decision only once the server has saved it.
"use strict";
(() => {
  const S = JSON.parse(document.getElementById("state").textContent);
  const TOKEN = document.querySelector('meta[name="review-token"]').content;
  const known = new Map(S.known.map((c, i) => [c.code, Object.assign({ order: i }, c)]));
  const suggested = new Map(S.suggestions.map((s) => [s.code, s]));
  const side = document.getElementById("side");
  const msg = document.getElementById("msg");
  const doneButton = document.getElementById("done");
  const search = document.getElementById("search");
  const q = document.getElementById("q");
  const hitList = document.getElementById("hits");
  const clauses = [];
  for (const e of document.querySelectorAll(".clause")) clauses[+e.dataset.i] = e;
  let cat = null; // the selected category
  let clause = null; // the selected clause
  let hits = [];
  let hit = 0;
  let tagged = [];
  // a long document passes many more thresholds than its count cap keeps: the best possible
  // ones are shown, the others on request
  const POSSIBLE_SHOWN = 8;
  let allPossible = false;

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const button = (label, cls, action, title) => {
    const b = el("button", cls, label);
    b.type = "button";
    if (title) b.title = title;
    b.addEventListener("click", action); // and the click goes on to select its category
    return b;
  };
  const say = (text, error) => { msg.textContent = text; msg.className = error ? "err" : "ok"; };
  const info = (code) => known.get(code) || { code, name: code, group: "Other", graded: false, order: 1e9 };
  const present = (code) => S.decisions[code] && S.decisions[code].value > 0;
  const possible = (code) => suggested.has(code) && suggested.get(code).tier === "possible";
  const gradeWord = (code, g) => { const w = info(code).grades; return w ? w[g - 1] : ""; };
  const opening = (i) => { const t = clauses[i].querySelector(".t").textContent.trim(); return t.length > 48 ? t.slice(0, 48).replace(/\s+\S*$/, "") + "\u2026" : t; };

  // the clauses a category is on: the coder's, else the model's evidence, best first
  function evidence(code) {
    const d = S.decisions[code];
    if (d && d.clauses.length) return d.clauses;
    const s = suggested.get(code);
    return s ? s.evidence.map((e) => e.clause) : [];
  }
  // the model's best evidence clause, or null
  const best = (code) => { const s = suggested.get(code); return s && s.evidence.length ? s.evidence[0].clause : null; };
  // the clause the coder selected for the selected category, or null
  const chosen = (code) => (code === cat && clause !== null ? clause : null);
  // where accepting puts a category: the selected clause, else its best evidence
  const target = (code) => (chosen(code) !== null ? chosen(code) : best(code));

  // the side panel's categories: the suggestions and the ones the coder added, grouped like a
  // PA-X agreement page; then the possible ones, best first
  function rows() {
    const codes = S.suggestions.filter((s) => s.tier !== "possible").map((s) => s.code).concat(Object.keys(S.decisions).filter((c) => !suggested.has(c)));
    const rank = (g) => { const i = S.groups.indexOf(g); return i < 0 ? S.groups.length : i; };
    const main = codes.map(info).sort((a, b) => rank(a.group) - rank(b.group) || a.order - b.order);
    const maybe = S.suggestions.filter((s) => s.tier === "possible").sort((a, b) => b.probability - a.probability)
      .filter((s, n) => allPossible || n < POSSIBLE_SHOWN || S.decisions[s.code] || s.code === cat);
    return main.concat(maybe.map((s) => info(s.code)));
  }

  function renderSide() {
    const scrolled = side.scrollTop; // kept: a save or a clause selected must not move the panel
    side.textContent = "";
    let group = null;
    let list = null;
    const all = rows();
    if (!all.length) side.append(el("p", "hint", "No suggestions. Select a clause and press / to add a category."));
    for (const c of all) {
      const heading = possible(c.code) ? "Possible" : c.group;
      if (heading !== group) {
        group = heading;
        const h = side.appendChild(el("h2", possible(c.code) ? "possible" : null, group));
        if (possible(c.code)) {
          h.id = "possible";
          side.append(el("p", "hint", "Pass their thresholds, but the document already has as many categories as its length carries. Undecided ones are recorded absent when the document is done."));
        }
        list = side.appendChild(el("ul"));
      }
      const d = S.decisions[c.code];
      const s = suggested.get(c.code);
      const status = d ? (d.value > 0 ? "accepted" : "rejected") : "open";
      const li = el("li", `cat ${status}${c.code === cat ? " sel" : ""}`);
      li.dataset.code = c.code;
      const head = li.appendChild(el("div", "head"));
      head.append(el("span", "name", c.name), " ", el("code", null, c.code), el("span", "status", d ? status : "to decide"));
      if (c.definition) li.appendChild(el("div", "def", c.definition)).title = c.definition;
      const p = S.scores[c.code];
      let meta = p ? `p = ${p[0].toFixed(2)} (threshold ${p[1].toFixed(2)})` : "not assessed by the model";
      if (s && s.grade) meta += `, suggested grade ${s.grade} (${gradeWord(c.code, s.grade)})`;
      if (s && s.implied_by.length) meta += `, present through ${s.implied_by.join(", ")}`;
      if (!s) meta += "; added by the coder";
      li.append(el("div", "meta", meta));
      const at = target(c.code);
      if (c.code === cat && at !== null && clauses[at] && !(present(c.code) && S.decisions[c.code].clauses.includes(at))) {
        const moved = present(c.code) || at !== best(c.code);
        li.append(el("div", "target", `Accept (a) ${moved ? "moves it to" : "puts it on"} \u201c${opening(at)}\u201d${moved ? " (the selected clause)" : " (its best evidence; J/K or a click picks another clause)"}`));
      }
      const buttons = li.appendChild(el("div", "buttons"));
      buttons.append(button("Accept", "accept", () => accept(c.code), "a"), button("Reject", "reject", () => reject(c.code), "r"));
      if (d) buttons.append(button("Undo", "undo", () => undo(c.code), "u"));
      if (c.graded) {
        const grades = li.appendChild(el("div", "grades"));
        grades.append(el("span", "glabel", "grade"));
        for (const g of [1, 2, 3]) {
          const b = grades.appendChild(button("", `grade${d && d.value === g ? " on" : ""}`, () => grade(c.code, g), `grade ${g}: ${gradeWord(c.code, g)} (key ${g})`));
          b.append(el("b", null, String(g)), " ", gradeWord(c.code, g));
        }
      }
      li.addEventListener("click", () => selectCategory(c.code, true));
      list.append(li);
    }
    const nPossible = S.suggestions.filter((s) => s.tier === "possible").length;
    const hidden = nPossible - all.filter((c) => possible(c.code)).length;
    if (hidden > 0 || (allPossible && nPossible > POSSIBLE_SHOWN)) {
      side.append(button(hidden > 0 ? `Show ${hidden} more possible` : `Show the best ${POSSIBLE_SHOWN} possible`, "more", () => { allPossible = !allPossible; render(); }));
    }
    side.scrollTop = scrolled;
  }

  function renderText() {
    for (const e of document.querySelectorAll(".clause.hl, .clause.sel")) e.classList.remove("hl", "sel");
    for (const e of tagged) e.textContent = "";
    tagged = [];
    // a tag: the category on a clause, with the clause's score where the model gave one; strong
    // evidence passes the category's threshold on its own, weak is only the document's best
    const tags = new Map();
    const add = (i, code, kind) => {
      if (!clauses[i]) return;
      const s = suggested.get(code);
      const e = s && s.evidence.find((x) => x.clause === i);
      (tags.get(i) || tags.set(i, []).get(i)).push({ code, kind, e });
    };
    for (const [code, d] of Object.entries(S.decisions)) for (const i of d.clauses) add(i, code, d.value > 0 ? "accepted" : "rejected");
    for (const s of S.suggestions) {
      if (!S.decisions[s.code] && (s.tier !== "possible" || s.code === cat)) for (const e of s.evidence) add(e.clause, s.code, "open");
    }
    for (const [i, list] of tags) {
      const box = clauses[i].querySelector(".tags");
      list.sort((a, b) => (b.e ? b.e.score : 0) - (a.e ? a.e.score : 0));
      for (const { code, kind, e } of list) {
        const t = box.appendChild(el("span", `tag ${kind}${e ? (e.strong ? " strong" : " weak") : ""}${possible(code) ? " possible" : ""}`, code));
        t.dataset.code = code;
        if (e) t.append(el("span", "score", e.score.toFixed(2)));
        const thr = S.scores[code] ? S.scores[code][1].toFixed(2) : null;
        const strength = e ? (e.strong ? `strong evidence: ${e.score.toFixed(2)} passes the threshold ${thr}` : `weak evidence: ${e.score.toFixed(2)}, below the threshold ${thr}, but the best clause there is`) : "";
        t.title = `${info(code).name} (${kind === "open" ? (possible(code) ? "possible" : "suggested") : kind})${strength ? "; " + strength : ""}`;
        t.addEventListener("click", (ev) => { ev.stopPropagation(); selectCategory(code, false); });
      }
      tagged.push(box);
    }
    if (cat) for (const i of evidence(cat)) if (clauses[i]) clauses[i].classList.add("hl");
    if (clause !== null && clauses[clause]) clauses[clause].classList.add("sel");
  }

  function render() {
    renderSide();
    renderText();
    doneButton.textContent = S.done ? "Done \u2713 (reopen)" : "Mark done";
    doneButton.classList.toggle("on", S.done);
  }

  function selectCategory(code, scroll) {
    cat = code;
    const ev = evidence(code);
    if (ev.length) clause = ev[0];
    render();
    if (scroll && ev.length && clauses[ev[0]]) clauses[ev[0]].scrollIntoView({ block: "center" });
    const li = side.querySelector(`li[data-code="${CSS.escape(code)}"]`);
    if (li) li.scrollIntoView({ block: "nearest" });
  }

  function selectClause(i) {
    if (!clauses[i]) return;
    clause = i;
    render(); // the selected category's card says where accepting puts it
    clauses[i].scrollIntoView({ block: "nearest" });
  }

  // Saves run one after another, each with the version the previous one returned; a body is made
  // when its turn comes, from the decisions as saved by then.
  let queue = Promise.resolve();
  let pending = 0;
  document.body.dataset.saving = "0";
  function post(url, makeBody) {
    pending += 1;
    document.body.dataset.saving = String(pending);
    queue = queue.then(async () => {
      try {
        const body = makeBody();
        if (!body) return;
        const r = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Review-Token": TOKEN },
          body: JSON.stringify(Object.assign({ version: S.version }, body)),
        });
        let data = {};
        try { data = await r.json(); } catch (_) { /* an empty or non-JSON error body */ }
        if (!r.ok) {
          say(data.error || `Not saved (HTTP ${r.status})`, true);
          return;
        }
        S.version = data.version;
        S.done = data.done;
        S.decisions = data.decisions;
        render();
        say("Saved");
      } catch (err) {
        say(`Not saved: the workbench cannot be reached (${err.message}). Is classify review still running?`, true);
      } finally {
        pending -= 1;
        document.body.dataset.saving = String(pending);
      }
    });
    return queue;
  }

  const decide = (code, body) => post(S.urls.decide, () => { const b = body(); return b && Object.assign({ code }, b); });
  // accepting puts a category on one clause: the selected one, else its best evidence; accepting
  // one already accepted with another clause selected moves it there
  function onClauses(code) {
    const d = S.decisions[code];
    const at = chosen(code);
    if (present(code) && (at === null || d.clauses.includes(at))) return d.clauses;
    const i = at !== null ? at : best(code);
    return i === null ? [] : [i];
  }
  const accept = (code) => decide(code, () => {
    const d = S.decisions[code];
    const s = suggested.get(code);
    const on = onClauses(code);
    if (present(code) && on === d.clauses) return null; // nothing changes
    return { value: present(code) ? d.value : (s && s.grade) || 1, clauses: on };
  });
  // a rejection is about the evidence that was shown: the best clause
  const reject = (code) => decide(code, () => {
    const i = best(code);
    const d = S.decisions[code];
    return { value: 0, clauses: i !== null ? [i] : d ? d.clauses.slice(0, 1) : [] };
  });
  // the server says which categories PA-X grades, and why a value is refused
  const grade = (code, g) => decide(code, () => ({ value: g, clauses: onClauses(code) }));
  const undo = (code) => decide(code, () => (S.decisions[code] ? { value: null, clauses: [] } : null));
  const addToClause = (code, i) => decide(code, () => {
    const d = S.decisions[code];
    const s = suggested.get(code);
    const on = present(code) ? d.clauses : [];
    return { value: present(code) ? d.value : (s && s.grade) || 1, clauses: on.includes(i) ? on : on.concat([i]) };
  });
  const removeFromClause = (code, i) => decide(code, () => {
    const d = S.decisions[code];
    return d && d.clauses.includes(i) ? { value: d.value, clauses: d.clauses.filter((j) => j !== i) } : null;
  });
  const toggleDone = () => post(S.urls.done, () => ({ done: !S.done }));

  // search-and-add: by code or name, on the selected clause
  function openSearch() {
    if (clause === null) { say("Select a clause first: click it, or move with J/K", true); return; }
    search.hidden = false;
    q.value = "";
    filter();
    q.focus();
  }
  function closeSearch() { search.hidden = true; q.blur(); }
  function filter() {
    const t = q.value.trim().toLowerCase();
    const named = (c) => c.code.toLowerCase().includes(t) || c.name.toLowerCase().includes(t);
    // by code or name first; then the categories whose definition has the words ("hostages")
    const score = (c) => (c.code.toLowerCase() === t ? 0 : c.code.toLowerCase().startsWith(t) ? 1 : c.name.toLowerCase().startsWith(t) ? 2 : named(c) ? 3 : 4);
    hits = S.known.filter((c) => !t || named(c) || (t.length > 2 && c.definition && c.definition.toLowerCase().includes(t)))
      .sort((a, b) => score(a) - score(b)).slice(0, 12);
    hit = 0;
    showHits();
  }
  function showHits() {
    hitList.textContent = "";
    hits.forEach((c, n) => {
      const li = hitList.appendChild(el("li", n === hit ? "on" : ""));
      li.append(el("code", null, c.code), " ", el("span", null, c.name), el("span", "group", c.group));
      if (c.definition) li.append(el("div", "def", c.definition));
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(n); });
    });
    if (!hits.length) hitList.append(el("li", "none", "No category matches"));
  }
  function choose(n) {
    const c = hits[n];
    if (!c) return;
    closeSearch();
    const i = clause;
    cat = c.code;
    addToClause(c.code, i);
  }
  q.addEventListener("input", filter);
  q.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeSearch();
    else if (e.key === "ArrowDown") { hit = Math.min(hit + 1, hits.length - 1); showHits(); }
    else if (e.key === "ArrowUp") { hit = Math.max(hit - 1, 0); showHits(); }
    else if (e.key === "Enter") choose(hit);
    else return;
    e.preventDefault();
  });
  q.addEventListener("blur", () => setTimeout(closeSearch, 150));

  for (const e of clauses) if (e) e.addEventListener("click", () => selectClause(+e.dataset.i));
  document.getElementById("add").addEventListener("click", openSearch);
  doneButton.addEventListener("click", toggleDone);

  document.addEventListener("keydown", (e) => {
    if (e.target.closest && e.target.closest("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    const codes = rows().map((c) => c.code);
    const step = (list, at, by) => list[Math.max(0, Math.min(list.length - 1, (at < 0 ? (by > 0 ? -1 : list.length) : at) + by))];
    const clauseList = clauses.map((_, i) => i).filter((i) => clauses[i]);
    switch (e.key) {
      case "j": case "k":
        if (codes.length) selectCategory(step(codes, codes.indexOf(cat), e.key === "j" ? 1 : -1), true);
        break;
      case "J": case "K":
        if (clauseList.length) selectClause(step(clauseList, clause === null ? -1 : clauseList.indexOf(clause), e.key === "J" ? 1 : -1));
        break;
      case "a": if (cat) accept(cat); break;
      case "r": if (cat) reject(cat); break;
      case "u": if (cat) undo(cat); break;
      case "1": case "2": case "3": if (cat) grade(cat, +e.key); break;
      case "x": if (cat && clause !== null) removeFromClause(cat, clause); break;
      case "d": toggleDone(); break;
      case "/": openSearch(); break;
      default: return;
    }
    e.preventDefault();
  });

  render();
  document.body.dataset.ready = "1";
})();
