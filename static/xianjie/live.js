/* Live notifications over /ws/notifications/: the bell's count, a toast for each push, task
   lists that refresh themselves, and the days left of legal deadlines. Loaded once per full page
   load; Turbo visits keep the socket open. */
(function () {
  if (window.__xjLive) return;
  window.__xjLive = true;

  var lang = (document.documentElement.lang || "zh-hans").toLowerCase();
  var zh = lang.indexOf("zh") === 0;
  var state = { unread: null, lastId: null, socket: null, retry: 1000 };

  function setBadge() {
    if (state.unread === null) return;
    document.querySelectorAll("[data-unread]").forEach(function (el) {
      el.textContent = state.unread;
      el.hidden = state.unread === 0;
    });
  }

  function toast(message) {
    var box = document.getElementById("xj-toasts");
    if (!box) return;
    var item = document.createElement("div");
    item.className = "xj-toast";
    item.setAttribute("role", "status");
    var link = document.createElement("a");
    link.textContent = message.title;
    // Through the notification: opening it marks it read, then its page opens.
    link.href = "/notices/" + message.id + "/open/";
    item.appendChild(link);
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 10000);
  }

  function refreshTaskLists() {
    if (document.querySelector("[data-live-refresh]") && window.Turbo) {
      window.Turbo.visit(window.location.href, { action: "replace" });
    }
  }

  // A job's page (data-job) follows its progress; when it ends the page is loaded again for its
  // result and rejected rows.
  function showJob(message) {
    var card = document.querySelector('[data-job="' + message.id + '"]');
    if (!card) return;
    var fields = { percent: message.percent, done: message.done, total: message.total === null ? "…" : message.total, rejected: message.rejected };
    Object.keys(fields).forEach(function (name) {
      card.querySelectorAll('[data-job-field="' + name + '"]').forEach(function (el) { el.textContent = fields[name]; });
    });
    var preparing = card.querySelector("[data-job-preparing]");
    if (preparing && message.total !== null) preparing.hidden = true;
    var bar = card.querySelector('[data-job-field="bar"]');
    if (bar) bar.value = message.percent;
    if ((message.status === "done" || message.status === "failed") && card.getAttribute("data-job-status") !== message.status) {
      card.setAttribute("data-job-status", message.status);
      if (window.Turbo) window.Turbo.visit(window.location.href, { action: "replace" });
      else window.location.reload();
    }
  }

  // A job that ended while the socket was closed: its page asks for its state once the socket opens.
  function pollJob() {
    var card = document.querySelector("[data-job]");
    if (!card) return;
    var status = card.getAttribute("data-job-status");
    if (status === "done" || status === "failed") return;
    fetch("/api/v1/jobs/" + card.getAttribute("data-job") + "/", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) { if (job) showJob({ id: job.id, status: job.status, done: job.done, total: job.total, percent: job.percent, rejected: job.error_count }); })
      .catch(function () {});
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + "/ws/notifications/" + (state.lastId !== null ? "?since=" + state.lastId : "");
    var socket = new WebSocket(url);
    state.socket = socket;
    socket.onopen = function () { state.retry = 1000; pollJob(); };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "unread") {
        state.unread = message.count;
        setBadge();
      } else if (message.type === "notification") {
        state.lastId = Math.max(state.lastId || 0, message.id);
        state.unread = (state.unread || 0) + 1;
        setBadge();
        toast(message);
        refreshTaskLists();
      } else if (message.type === "job") {
        showJob(message);
      }
    };
    socket.onclose = function () {
      state.socket = null;
      setTimeout(ensureConnected, state.retry);
      state.retry = Math.min(state.retry * 2, 30000);
    };
  }

  // Behaviour the templates ask for by attribute, so that the pages carry no inline script and the
  // Content-Security-Policy can forbid it: a select that submits its form when changed, and a
  // form that shows its progress element while it uploads.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.requestSubmit();
  });
  document.addEventListener("submit", function (event) {
    var id = event.target.getAttribute && event.target.getAttribute("data-progress");
    var progress = id && document.getElementById(id);
    if (progress) progress.hidden = false;
  });

  function ensureConnected() {
    // Only pages of a logged-in user carry the bell; the login page does not connect.
    if (!state.socket && document.querySelector("[data-unread]")) connect();
  }

  // The time left in whole days of the calendar of Asia/Shanghai (UTC+8, no summer time), as the
  // server writes it (core/calendar.py time_left): a deadline is a date, never a countdown.
  var DAY = 86400000, SHANGHAI = 8 * 3600000;
  function localDay(ms) { return Math.floor((ms + SHANGHAI) / DAY); }
  function dueDay(ms) { return localDay(ms - 1); } // 00:00 is 24:00 of the day before

  function daysLeft(due, now) {
    var days = dueDay(due) - localDay(now);
    if (due > now) {
      if (days <= 0) return zh ? "今日届满" : "ends today";
      return zh ? "还剩 " + days + " 天" : days + (days === 1 ? " day left" : " days left");
    }
    var late = Math.max(-days, 0);
    if (!late) return zh ? "已超期" : "past due";
    return zh ? "已超期 " + late + " 天" : late + (late === 1 ? " day overdue" : " days overdue");
  }

  function tick() {
    var now = Date.now();
    // The spans the server filled (data-left) and any left empty for this script; others keep their text.
    document.querySelectorAll("[data-due]").forEach(function (el) {
      if (!el.hasAttribute("data-left") && el.textContent.trim()) return;
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      el.textContent = daysLeft(due, now);
      el.setAttribute("data-left", ""); // filled here: kept up to date from now on
      el.classList.toggle("xj-overdue", due <= now);
    });
  }

  // Each page comes with the count as the server knows it (a notification opened on the way there
  // is read): that count is the one to show until the next push.
  function adoptCount() {
    var badge = document.querySelector("[data-unread]");
    if (badge && state.unread !== null) state.unread = parseInt(badge.textContent, 10) || 0;
  }

  document.addEventListener("turbo:load", function () { adoptCount(); setBadge(); tick(); ensureConnected(); pollJob(); });
  setInterval(tick, 60000);
  tick();
  ensureConnected();
})();
