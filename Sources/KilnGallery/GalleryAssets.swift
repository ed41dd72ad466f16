/// The gallery page's inline CSS and script. Small, dependency-free, and careful with large sets:
/// the grid is rendered a page of cards at a time as the reader scrolls, and thumbnails load
/// lazily, so a 10,000-image build opens as fast as a small one.
enum GalleryAssets {
    static let css = """
    :root{--fg:#1d1d1f;--muted:#6e6e73;--line:#d2d2d7;--bg:#fff;--card:#f5f5f7;--new:#0a7d33;--changed:#b25000;--accent:#0057b8}
    *{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
    header{position:sticky;top:0;z-index:2;background:var(--bg);border-bottom:1px solid var(--line);padding:12px 20px}
    h1{font-size:18px;margin:0 0 4px}#totals,#keys{margin:2px 0;color:var(--muted)}#keys{font-size:12px}
    #controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin-top:6px}
    #search{flex:1;min-width:180px;padding:4px 8px}#count{color:var(--muted)}
    #problems{padding:0 20px}#problems details{margin:10px 0;color:#a30000}#problems li{white-space:pre-wrap}
    main{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:14px;padding:16px 20px}
    main h2,main h3{grid-column:1/-1;margin:10px 0 0}main h2{font-size:16px}main h3{font-size:14px;color:var(--muted)}
    .card{margin:0;background:var(--card);border-radius:8px;padding:8px;outline:none;cursor:pointer;border:2px solid transparent}
    .card:focus,.card:hover{border-color:var(--accent)}
    .thumbs{display:flex;gap:6px}.thumbs>div{flex:1;display:flex;align-items:center;justify-content:center;min-height:120px}
    .thumbs img{max-width:100%;height:auto;display:block}
    .alpha{background:repeating-conic-gradient(#ccc 0 25%,#fff 0 50%) 0 0/16px 16px}
    .was{opacity:.85;position:relative}.was::after{content:"before";position:absolute;top:2px;left:2px;font-size:10px;background:#000a;color:#fff;padding:0 4px;border-radius:3px}
    figcaption{margin-top:6px;word-break:break-word}figcaption small{color:var(--muted)}
    .badge{display:inline-block;font-size:11px;padding:0 6px;border-radius:9px;margin-right:4px;color:#fff;background:var(--muted)}
    .badge.new{background:var(--new)}.badge.changed{background:var(--changed)}.badge.picked{background:var(--accent)}.badge.rerolled{background:#777}
    dialog{max-width:min(960px,95vw);max-height:90vh;border:1px solid var(--line);border-radius:10px;padding:16px}
    dialog img.full{max-width:100%;max-height:55vh;display:block;margin:0 auto 10px}
    dialog pre{white-space:pre-wrap;background:var(--card);padding:8px;border-radius:6px}
    dialog table{border-collapse:collapse}dialog td{padding:2px 8px;vertical-align:top}dialog td:first-child{color:var(--muted)}
    dialog button.link{background:none;border:0;color:var(--accent);cursor:pointer;padding:0;font:inherit;text-decoration:underline}
    """

    static let script = #"""
    "use strict";
    (() => {
      const data = JSON.parse(document.getElementById("kiln-data").textContent);
      const $ = (s) => document.querySelector(s);
      const el = (tag, cls, text) => {
        const e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined && text !== null) e.textContent = String(text);
        return e;
      };
      const money = (v) => "$" + (v > 0 && v < 0.01 ? v.toFixed(4) : v.toFixed(2));
      const items = data.items;
      const index = new Map(items.map((it, i) => [it.path, i]));
      const t = data.totals;
      $("#totals").textContent = [
        t.images + " image(s)",
        data.compared ? t.new + " new, " + t.changed + " changed" : "no earlier build to compare with",
        "cost " + money(t.costUSD),
        t.built + " call(s) made, " + (t.cached + t.upToDate) + " reused",
        t.failed ? t.failed + " failed" : null,
        t.skipped ? t.skipped + " skipped" : null,
      ].filter(Boolean).join(" · ");
      if (data.problems.length) {
        const d = el("details");
        d.open = true;
        d.append(el("summary", null, data.problems.length + " step(s) failed or did not run"));
        const ul = el("ul");
        for (const p of data.problems) ul.append(el("li", null, p.step + " (" + p.status + "): " + p.error));
        d.append(ul);
        $("#problems").append(d);
      }
      const pipelines = [...new Set(items.map((it) => it.pipeline))].sort();
      for (const p of pipelines) { const o = el("option", null, p); o.value = p; $("#pipeline").append(o); }

      const grid = $("#grid"), sentinel = $("#more");
      const state = { list: [], shown: 0, last: null };
      const PAGE = 120;
      const matches = (it) => {
        if ($("#changed").checked && it.status === "unchanged") return false;
        const p = $("#pipeline").value;
        if (p && it.pipeline !== p) return false;
        const q = $("#search").value.trim().toLowerCase();
        if (!q) return true;
        return [it.path, it.step, it.prompt || ""].some((s) => s.toLowerCase().includes(q));
      };
      const thumbBox = (src, it, cls) => {
        const box = el("div", (it.alpha ? "alpha " : "") + (cls || ""));
        if (!src) { box.append(el("small", null, "no thumbnail")); return box; }
        const img = el("img");
        const scale = Math.min(1, 256 / Math.max(it.width, it.height));
        img.width = Math.max(1, Math.round(it.width * scale));
        img.height = Math.max(1, Math.round(it.height * scale));
        img.loading = "lazy";
        img.decoding = "async";
        img.alt = it.path;
        img.src = src;
        box.append(img);
        return box;
      };
      const card = (it) => {
        const f = el("figure", "card");
        f.tabIndex = 0;
        f.dataset.i = index.get(it.path);
        const thumbs = el("div", "thumbs");
        if (it.previous) thumbs.append(thumbBox(it.previous, it, "was"));
        thumbs.append(thumbBox(it.thumb, it));
        const cap = el("figcaption");
        if (it.rerolled) cap.append(el("span", "badge rerolled", "re-rolled"));
        else if (data.compared || it.status !== "new") cap.append(el("span", "badge " + it.status, it.status));
        if (it.candidate) cap.append(el("span", "badge" + (it.pick === "picked" ? " picked" : ""), "candidate " + it.candidate + (it.pick ? " · " + it.pick : "")));
        cap.append(el("b", null, it.asset + (it.variant ? "@" + it.variant : "")));
        cap.append(el("br"));
        cap.append(el("small", null, it.path));
        f.append(thumbs, cap);
        return f;
      };
      const more = () => {
        const frag = document.createDocumentFragment();
        const end = Math.min(state.list.length, state.shown + PAGE);
        for (let i = state.shown; i < end; i++) {
          const it = state.list[i];
          if (!state.last || state.last.pipeline !== it.pipeline) frag.append(el("h2", null, it.pipeline));
          if (!state.last || state.last.pipeline !== it.pipeline || state.last.asset !== it.asset) frag.append(el("h3", null, it.asset));
          frag.append(card(it));
          state.last = it;
        }
        grid.append(frag);
        state.shown = end;
      };
      const fill = () => {
        // More cards while the end of the grid is near the screen (a tall screen needs several pages).
        while (state.shown < state.list.length && sentinel.getBoundingClientRect().top < innerHeight + 1200) more();
      };
      const apply = () => {
        state.list = items.filter(matches);
        state.shown = 0;
        state.last = null;
        grid.replaceChildren();
        more();
        fill();
        $("#count").textContent = state.list.length + " of " + items.length + " shown";
      };
      new IntersectionObserver(() => fill(), { rootMargin: "1200px" }).observe(sentinel);
      addEventListener("scroll", fill, { passive: true });
      for (const id of ["#pipeline", "#changed"]) $(id).addEventListener("change", apply);
      $("#search").addEventListener("input", apply);

      const dialog = $("#detail");
      const reveal = (path) => {
        const i = state.list.findIndex((it) => it.path === path);
        if (i < 0) return null;
        while (state.shown <= i) more();
        return grid.querySelector('[data-i="' + index.get(path) + '"]');
      };
      const open = (i) => {
        const it = items[i];
        dialog.replaceChildren();
        const close = el("button", null, "Close");
        close.addEventListener("click", () => dialog.close());
        dialog.append(close, el("h2", null, it.asset + (it.variant ? "@" + it.variant : "")));
        const full = el("img", "full" + (it.alpha ? " alpha" : ""));
        full.alt = it.path;
        full.src = it.path;
        dialog.append(full);
        const table = el("table");
        const row = (k, v) => {
          if (v === undefined || v === null || v === "") return;
          const tr = el("tr");
          tr.append(el("td", null, k));
          const td = el("td");
          if (v instanceof Node) td.append(v); else td.textContent = String(v);
          tr.append(td);
          table.append(tr);
        };
        const links = (list) => {
          if (!list.length) return null;
          const span = el("span");
          list.forEach((p, n) => {
            if (n) span.append(", ");
            if (index.has(p)) {
              const b = el("button", "link", p);
              b.addEventListener("click", () => { dialog.close(); const c = reveal(p); if (c) c.focus(); open(index.get(p)); });
              span.append(b);
            } else {
              span.append(el("span", null, p.replace(/^file:/, "source ").replace(/^step:/, "step ")));
            }
          });
          return span;
        };
        row("file", it.path);
        if (!it.rerolled) row("status", it.status);
        row("step", it.step + " (" + it.kind + ")");
        row("model", it.model ? (it.provider ? it.provider + " " : "") + it.model : null);
        row("size", it.width + "×" + it.height + " " + it.format + (it.alpha ? ", alpha" : "") + ", " + it.bytes + " bytes");
        row("cost", money(it.costUSD) + " (" + it.costBasis + ")" + (it.fromCache ? ", from the cache" : ""));
        row("candidate", it.candidate ? it.candidate + (it.pick ? " (" + it.pick + ": the one in use; kiln pick chooses)" : "") : null);
        row("re-rolled", it.rerolled ? it.rerolled + ": replaced by kiln reroll; kept in the cache (and here) until kiln cache gc removes it" : null);
        row("adopted", it.adopted ? "yes: an existing file recorded with kiln adopt, no provider call" : null);
        row("request id", it.requestID);
        row("made", it.made);
        row("made from", links(it.inputs));
        row("used by", links(it.usedBy));
        const fields = (prefix, object) => {
          if (!object) return;
          for (const key of Object.keys(object).sort()) {
            const v = object[key];
            row(prefix + key, typeof v === "string" ? v : JSON.stringify(v));
          }
        };
        fields("", it.parameters);
        fields("derive.", it.derive);
        fields("resolved.", it.resolved);
        dialog.append(table);
        if (it.prompt) { dialog.append(el("h3", null, "Prompt")); dialog.append(el("pre", null, it.prompt)); }
        if (!dialog.open) dialog.showModal();
      };
      grid.addEventListener("click", (e) => {
        const c = e.target.closest(".card");
        if (c) open(Number(c.dataset.i));
      });
      const cards = () => [...grid.querySelectorAll(".card")];
      addEventListener("keydown", (e) => {
        if (e.target.matches && e.target.matches("input, select") ) {
          if (e.key === "Escape") e.target.blur();
          return;
        }
        if (dialog.open) return;
        const all = cards();
        const at = all.indexOf(document.activeElement);
        const move = (d) => {
          let list = all;
          let n = at < 0 ? 0 : at + d;
          if (n >= list.length && state.shown < state.list.length) { more(); list = cards(); }
          n = Math.max(0, Math.min(list.length - 1, n));
          const c = list[n];
          if (c) { c.focus(); c.scrollIntoView({ block: "nearest" }); }
          e.preventDefault();
        };
        if (e.key === "ArrowRight" || e.key === "j") move(1);
        else if (e.key === "ArrowLeft" || e.key === "k") move(-1);
        else if (e.key === "Enter" && at >= 0) {
          e.preventDefault();   // else the same key press would activate the dialog's Close button
          open(Number(all[at].dataset.i));
        }
        else if (e.key === "c") { $("#changed").checked = !$("#changed").checked; apply(); }
        else if (e.key === "/") { e.preventDefault(); $("#search").focus(); }
      });
      apply();
      document.body.dataset.ready = "1";
    })();
    """#
}
