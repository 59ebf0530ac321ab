// The desk's cover editor: boxes drawn, moved, resized and deleted on a card's photo with the mouse or
// the keyboard, each shown at once as the video covers it (an opaque grey box), then saved as the
// message's `mask:` (x, y, w, h as fractions of the upright photo). No inline script: the page's policy
// allows only this file and htmx.
(function () {
  "use strict";
  const MIN = 0.01; // the smallest cover: 1 % of the photo each way
  const STEP = 0.01; // an arrow key moves or resizes by 1 % (with Alt: 0.2 %)

  function clamp(v, lo, hi) { return Math.min(Math.max(v, lo), hi); }
  function currentVersion() {
    const input = document.getElementById("version");
    return input ? input.value : "";
  }

  function place(el, b) {
    el.style.left = (b[0] * 100) + "%";
    el.style.top = (b[1] * 100) + "%";
    el.style.width = (b[2] * 100) + "%";
    el.style.height = (b[3] * 100) + "%";
  }

  function setup(editor) {
    if (editor.dataset.ready) return;
    editor.dataset.ready = "1";
    const id = editor.dataset.id;
    let boxes = [];
    try { boxes = JSON.parse(editor.dataset.boxes || "[]"); } catch (e) { boxes = []; }
    const layer = document.createElement("div");
    layer.className = "boxes";
    editor.appendChild(layer);
    const card = editor.closest(".card");
    const count = card ? card.querySelector(".cover-count") : null;
    let timer = null;

    function render(focus) {
      layer.replaceChildren();
      boxes.forEach(function (b, i) {
        const el = document.createElement("div");
        el.className = "box";
        el.tabIndex = 0;
        el.dataset.index = String(i);
        el.setAttribute("role", "button");
        el.setAttribute("aria-label", "cover " + (i + 1) + ": arrows move it, Shift+arrows resize it, Delete removes it");
        const handle = document.createElement("div");
        handle.className = "handle";
        el.appendChild(handle);
        place(el, b);
        layer.appendChild(el);
      });
      if (count) count.textContent = boxes.length ? boxes.length + (boxes.length === 1 ? " cover" : " covers") + " of yours" : "";
      if (focus !== undefined && focus !== null && layer.children[focus]) layer.children[focus].focus();
    }

    let inflight = false, again = false;
    function send() {
      // One save at a time: the next one goes with the version the previous answer gave the page.
      timer = null;
      if (inflight) { again = true; return; }
      inflight = true;
      const text = boxes.map(function (b) { return b.map(function (v) { return v.toFixed(4); }).join(","); }).join(";");
      editor.classList.add("saving");
      htmx.ajax("POST", "/message/" + encodeURIComponent(id) + "/mask",
                {source: editor, target: editor, swap: "none", values: {boxes: text, version: currentVersion()}})
        .finally(function () {
          editor.classList.remove("saving");
          inflight = false;
          if (again) { again = false; send(); }
        });
    }
    function save(delay) {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(send, delay);
    }
    function add() {
      boxes.push([0.4, 0.35, 0.2, 0.25]);
      render(boxes.length - 1);
      save(300);
    }

    editor.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) return;
      const img = editor.querySelector("img.photo");
      if (!img) return;
      const rect = img.getBoundingClientRect();
      if (!rect.width || !rect.height) return;
      const at = function (e) {
        return [clamp((e.clientX - rect.left) / rect.width, 0, 1), clamp((e.clientY - rect.top) / rect.height, 0, 1)];
      };
      const start = at(ev);
      const boxEl = ev.target.closest ? ev.target.closest(".box") : null;
      let mode, index;
      if (boxEl && ev.target.classList.contains("handle")) { mode = "resize"; index = Number(boxEl.dataset.index); }
      else if (boxEl) { mode = "move"; index = Number(boxEl.dataset.index); }
      else { mode = "draw"; boxes.push([start[0], start[1], 0, 0]); index = boxes.length - 1; render(); }
      const orig = boxes[index].slice();
      ev.preventDefault();
      editor.setPointerCapture(ev.pointerId);
      function follow(e) {
        const q = at(e), b = boxes[index];
        if (mode === "draw") {
          b[0] = Math.min(start[0], q[0]); b[1] = Math.min(start[1], q[1]);
          b[2] = Math.abs(q[0] - start[0]); b[3] = Math.abs(q[1] - start[1]);
        } else if (mode === "move") {
          b[0] = clamp(orig[0] + q[0] - start[0], 0, 1 - orig[2]);
          b[1] = clamp(orig[1] + q[1] - start[1], 0, 1 - orig[3]);
        } else {
          b[2] = clamp(orig[2] + q[0] - start[0], MIN, 1 - orig[0]);
          b[3] = clamp(orig[3] + q[1] - start[1], MIN, 1 - orig[1]);
        }
        const el = layer.children[index];
        if (el) place(el, b);
      }
      function done(e) {
        follow(e);
        editor.removeEventListener("pointermove", follow);
        editor.removeEventListener("pointerup", done);
        editor.removeEventListener("pointercancel", done);
        const b = boxes[index];
        if (mode === "draw" && (b[2] < MIN || b[3] < MIN)) { boxes.splice(index, 1); render(); return; }
        render(index);
        if (mode === "draw" || orig.some(function (v, k) { return v !== b[k]; })) save(0);
      }
      editor.addEventListener("pointermove", follow);
      editor.addEventListener("pointerup", done);
      editor.addEventListener("pointercancel", done);
    });

    editor.addEventListener("keydown", function (ev) {
      const boxEl = ev.target.closest ? ev.target.closest(".box") : null;
      if (!boxEl) {
        if (ev.target === editor && (ev.key === "n" || ev.key === "Enter")) { ev.preventDefault(); add(); }
        return;
      }
      const index = Number(boxEl.dataset.index), b = boxes[index];
      const step = ev.altKey ? STEP / 5 : STEP;
      const dx = ev.key === "ArrowLeft" ? -step : ev.key === "ArrowRight" ? step : 0;
      const dy = ev.key === "ArrowUp" ? -step : ev.key === "ArrowDown" ? step : 0;
      if (ev.key === "Delete" || ev.key === "Backspace") {
        boxes.splice(index, 1);
        render(Math.min(index, boxes.length - 1));
        if (!boxes.length) editor.focus();
      } else if (dx || dy) {
        if (ev.shiftKey) {
          b[2] = clamp(b[2] + dx, MIN, 1 - b[0]);
          b[3] = clamp(b[3] + dy, MIN, 1 - b[1]);
        } else {
          b[0] = clamp(b[0] + dx, 0, 1 - b[2]);
          b[1] = clamp(b[1] + dy, 0, 1 - b[3]);
        }
        place(boxEl, b);
      } else {
        return;
      }
      ev.preventDefault();
      save(600);
    });

    const button = card ? card.querySelector(".add-box") : null;
    if (button) button.addEventListener("click", add);
    render();
  }

  htmx.onLoad(function (root) {
    const found = root.matches && root.matches(".cover-editor") ? [root] : [];
    root.querySelectorAll && root.querySelectorAll(".cover-editor").forEach(function (e) { found.push(e); });
    found.forEach(setup);
  });
})();
