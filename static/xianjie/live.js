/* Live notifications over /ws/notifications/: the bell's count, a toast for each push, task
   lists that refresh themselves, and legal-deadline countdowns. Loaded once per full page load;
   Turbo visits keep the socket open. */
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
    link.href = message.referral ? "/referrals/referral/" + message.referral + "/" : message.case ? "/cases/case/" + message.case + "/" : "/notices/list/";
    item.appendChild(link);
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 10000);
  }

  function refreshTaskLists() {
    if (document.querySelector("[data-live-refresh]") && window.Turbo) {
      window.Turbo.visit(window.location.href, { action: "replace" });
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + "/ws/notifications/" + (state.lastId !== null ? "?since=" + state.lastId : "");
    var socket = new WebSocket(url);
    state.socket = socket;
    socket.onopen = function () { state.retry = 1000; };
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

  function remaining(ms) {
    var past = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var text = zh ? (d ? d + "天" : "") + h + "小时" + m + "分" + sec + "秒" : (d ? d + "d " : "") + h + "h " + m + "m " + sec + "s";
    return past ? (zh ? "已超期 " : "overdue by ") + text : (zh ? "剩余 " : "") + text + (zh ? "" : " left");
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      el.textContent = remaining(due - now);
      el.classList.toggle("xj-overdue", due <= now);
    });
  }

  document.addEventListener("turbo:load", function () { setBadge(); tick(); ensureConnected(); });
  setInterval(tick, 1000);
  tick();
  ensureConnected();
})();
