// The clerk's desk: upload with a progress bar, results as each batch is checked,
// and the 本期 page refreshed when a file arrives. Plain JavaScript, no build step.
"use strict";
(function () {
  var BATCH_BYTES = 8 * 1024 * 1024, BATCH_FILES = 25;

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value == null ? "" : value;
    if (cls) el.className = cls;
    return el;
  }

  function batches(files) {
    var out = [], cur = [], size = 0;
    files.forEach(function (f) {
      var zip = /\.zip$/i.test(f.name);
      if (cur.length && (zip || cur.length >= BATCH_FILES || size + f.size > BATCH_BYTES)) { out.push(cur); cur = []; size = 0; }
      cur.push(f); size += f.size;
      if (zip) { out.push(cur); cur = []; size = 0; }
    });
    if (cur.length) out.push(cur);
    return out;
  }

  function setupUpload(form) {
    var input = form.querySelector("#files"), bar = document.getElementById("progress"),
        label = document.getElementById("progress-text"), body = document.querySelector("#results tbody"),
        words = JSON.parse(document.getElementById("words").innerHTML);
    var queue = [], busy = false, total = 0, sent = 0, checked = 0;

    function show(answer) {
      (answer.files || []).forEach(function (f) {
        var row = document.createElement("tr"), name = f.path.split(/[\\/]/).pop();
        row.dataset.status = f.status;
        row.appendChild(text("td", name));
        row.appendChild(text("td", f.unit_name ? f.unit_name + "（" + f.unit + "）" : "无法识别"));
        var errors = f.findings.filter(function (x) { return x.severity === "error"; }).length;
        row.appendChild(text("td", (words.status[f.status] || f.status) + (errors ? "，" + errors + " 个错误" : ""),
                             "result " + (f.status === "used" ? "ok" : f.status === "rejected" || f.status === "unrecognised" ? "bad" : "warn")));
        var cell = document.createElement("td"), list = document.createElement("ul");
        f.findings.forEach(function (x) {
          list.appendChild(text("li", "【" + (words.level[x.severity] || x.severity) + "】" +
            (x.sheet ? x.sheet + (x.cell ? " · " + x.cell : "") + "：" : "") + x.message, x.severity === "error" ? "bad" : "warn"));
        });
        cell.appendChild(list); row.appendChild(cell); body.appendChild(row);
      });
      (answer.skipped || []).forEach(function (s) {
        var row = document.createElement("tr");
        row.appendChild(text("td", s.name)); row.appendChild(text("td", "")); row.appendChild(text("td", "未检查", "warn"));
        row.appendChild(text("td", s.why)); body.appendChild(row);
      });
    }

    function progress() {
      var pct = total ? Math.round(100 * (sent + checked) / (2 * total)) : 0;
      bar.hidden = false; bar.value = pct;
      label.textContent = busy ? "正在上传和检查……" + pct + "%" : "全部完成";
    }

    function next() {
      if (!queue.length) { busy = false; progress(); form.dataset.done = "1"; return; }
      busy = true; form.dataset.done = "";
      var batch = queue.shift(), data = new FormData(), bytes = 0;
      batch.forEach(function (f) { data.append("files", f, f.name); bytes += f.size; });
      var xhr = new XMLHttpRequest(), before = sent;
      xhr.open("POST", "/api/returns?period=" + encodeURIComponent(form.dataset.period));
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { sent = before + bytes * e.loaded / e.total; progress(); } };
      xhr.onload = function () {
        sent = before + bytes; checked += bytes;
        var answer;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = { error: "服务器没有正常回答（" + xhr.status + "）" }; }
        if (xhr.status !== 200) {
          var row = document.createElement("tr");
          row.appendChild(text("td", batch.map(function (f) { return f.name; }).join("、")));
          row.appendChild(text("td", "")); row.appendChild(text("td", "未收下", "bad"));
          row.appendChild(text("td", answer.error || xhr.status)); body.appendChild(row);
        } else { show(answer); }
        progress(); next();
      };
      xhr.onerror = function () { checked += bytes; progress(); next(); };
      xhr.send(data);
    }

    function add(files) {
      files = Array.prototype.slice.call(files);
      if (!files.length) return;
      files.forEach(function (f) { total += f.size; });
      batches(files).forEach(function (b) { queue.push(b); });
      if (!busy) next(); else progress();
    }

    input.addEventListener("change", function () { add(input.files); input.value = ""; });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    ["dragenter", "dragover"].forEach(function (t) { form.addEventListener(t, function (e) { e.preventDefault(); form.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (t) { form.addEventListener(t, function (e) { e.preventDefault(); form.classList.remove("over"); }); });
    form.addEventListener("drop", function (e) { add(e.dataTransfer.files); });
  }

  function setupRefresh(counts) {
    var files = counts.dataset.files;
    setInterval(function () {
      var q = "period=" + encodeURIComponent(counts.dataset.period) + (counts.dataset.due ? "&due=" + counts.dataset.due : "");
      fetch("/api/stamp?" + q, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
        if (String(s.counts.files) !== String(files)) window.location.reload();
      }).catch(function () {});
    }, 5000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload");
    if (form) setupUpload(form);
    var counts = document.getElementById("counts");
    if (counts) setupRefresh(counts);
  });
})();
