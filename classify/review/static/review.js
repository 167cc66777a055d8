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

  // the clauses a category is on: the coder's, else the model's evidence
  function evidence(code) {
    const d = S.decisions[code];
    if (d && d.clauses.length) return d.clauses;
    const s = suggested.get(code);
    return s ? s.evidence : [];
  }

  // the side panel's categories: the suggestions and the ones the coder added, grouped like a PA-X agreement page
  function rows() {
    const codes = S.suggestions.map((s) => s.code).concat(Object.keys(S.decisions).filter((c) => !suggested.has(c)));
    const rank = (g) => { const i = S.groups.indexOf(g); return i < 0 ? S.groups.length : i; };
    return codes.map(info).sort((a, b) => rank(a.group) - rank(b.group) || a.order - b.order);
  }

  function renderSide() {
    side.textContent = "";
    let group = null;
    let list = null;
    const all = rows();
    if (!all.length) side.append(el("p", "hint", "No suggestions. Select a clause and press / to add a category."));
    for (const c of all) {
      if (c.group !== group) {
        group = c.group;
        side.append(el("h2", null, group));
        list = side.appendChild(el("ul"));
      }
      const d = S.decisions[c.code];
      const s = suggested.get(c.code);
      const status = d ? (d.value > 0 ? "accepted" : "rejected") : "open";
      const li = el("li", `cat ${status}${c.code === cat ? " sel" : ""}`);
      li.dataset.code = c.code;
      const head = li.appendChild(el("div", "head"));
      head.append(el("span", "name", c.name), " ", el("code", null, c.code), el("span", "status", d ? status : "to decide"));
      const p = S.scores[c.code];
      let meta = p ? `p = ${p[0].toFixed(2)} (threshold ${p[1].toFixed(2)})` : "not assessed by the model";
      if (s && s.grade) meta += `, suggested grade ${s.grade}`;
      if (s && s.implied_by.length) meta += `, present through ${s.implied_by.join(", ")}`;
      if (!s) meta += "; added by the coder";
      li.append(el("div", "meta", meta));
      const buttons = li.appendChild(el("div", "buttons"));
      buttons.append(button("Accept", "accept", () => accept(c.code), "a"), button("Reject", "reject", () => reject(c.code), "r"));
      if (c.graded) {
        buttons.append(el("span", "glabel", "grade"));
        for (const g of [1, 2, 3]) {
          buttons.append(button(String(g), `grade${d && d.value === g ? " on" : ""}`, () => grade(c.code, g), `grade ${g} (key ${g})`));
        }
      }
      if (d) buttons.append(button("Undo", "undo", () => undo(c.code), "u"));
      li.addEventListener("click", () => selectCategory(c.code, true));
      list.append(li);
    }
  }

  function renderText() {
    for (const e of document.querySelectorAll(".clause.hl, .clause.sel")) e.classList.remove("hl", "sel");
    for (const e of tagged) e.textContent = "";
    tagged = [];
    const tags = new Map();
    const add = (i, code, kind) => { if (clauses[i]) (tags.get(i) || tags.set(i, []).get(i)).push([code, kind]); };
    for (const [code, d] of Object.entries(S.decisions)) for (const i of d.clauses) add(i, code, d.value > 0 ? "accepted" : "rejected");
    for (const s of S.suggestions) if (!S.decisions[s.code]) for (const i of s.evidence) add(i, s.code, "open");
    for (const [i, list] of tags) {
      const box = clauses[i].querySelector(".tags");
      for (const [code, kind] of list) {
        const t = box.appendChild(el("span", `tag ${kind}`, code));
        t.title = `${info(code).name} (${kind === "open" ? "suggested" : kind})`;
        t.addEventListener("click", (e) => { e.stopPropagation(); selectCategory(code, false); });
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
    renderText();
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
  const accept = (code) => decide(code, () => {
    const d = S.decisions[code];
    const s = suggested.get(code);
    return present(code) ? { value: d.value, clauses: d.clauses } : { value: (s && s.grade) || 1, clauses: evidence(code) };
  });
  // a rejection keeps the clauses it was suggested on: the clause file records them with value 0
  const reject = (code) => decide(code, () => ({ value: 0, clauses: evidence(code) }));
  // the server says which categories PA-X grades, and why a value is refused
  const grade = (code, g) => decide(code, () => ({ value: g, clauses: evidence(code) }));
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
    const score = (c) => (c.code.toLowerCase() === t ? 0 : c.code.toLowerCase().startsWith(t) ? 1 : c.name.toLowerCase().startsWith(t) ? 2 : 3);
    hits = S.known.filter((c) => !t || c.code.toLowerCase().includes(t) || c.name.toLowerCase().includes(t))
      .sort((a, b) => score(a) - score(b)).slice(0, 12);
    hit = 0;
    showHits();
  }
  function showHits() {
    hitList.textContent = "";
    hits.forEach((c, n) => {
      const li = hitList.appendChild(el("li", n === hit ? "on" : ""));
      li.append(el("code", null, c.code), " ", el("span", null, c.name), el("span", "group", c.group));
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
