// The adoption dashboard: reads rse.v1.Analytics through the engine's HTTP/JSON API only, and
// follows today's figures live from WatchNetworkStats (newline-delimited JSON).
"use strict";

const state = { headers: null, days: [], stats: null, charts: [], watch: null };
const $ = (id) => document.getElementById(id);
const number = (value) => Number(value ?? 0);

function credentials() {
  const params = new URLSearchParams(location.search);
  const user = $("user").value || params.get("user") || localStorage.getItem("rse.user") || "";
  const token = $("token").value || sessionStorage.getItem("rse.token") || "";
  $("user").value = user;
  if (token) {
    sessionStorage.setItem("rse.token", token);
    return { authorization: "Bearer " + token };
  }
  if (user) {
    localStorage.setItem("rse.user", user);
    return { "x-rse-user": user };
  }
  return null;
}

function say(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function getJson(path) {
  const response = await fetch(path, { headers: state.headers });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.message || ("HTTP " + response.status));
  }
  return body;
}

function showToday(day, stats) {
  $("daily-active").textContent = number(day.dailyActive);
  $("monthly-active").textContent = number(day.monthlyActive);
  $("engaged").textContent = number(day.engaged);
  $("contributors").textContent = number(day.contributors) + " / " + number(day.readers);
  $("posts").textContent = number(day.posts);
  if (stats) {
    $("activation").textContent = Math.round(number(stats.activation) * 100) + " %";
  }
}

function fillTable(id, rows) {
  const body = $(id).querySelector("tbody");
  body.replaceChildren(...(rows || []).map((row) => {
    const tr = document.createElement("tr");
    for (const value of [row.value, number(row.active), number(row.contributors)]) {
      const td = document.createElement("td");
      td.textContent = value;
      tr.append(td);
    }
    return tr;
  }));
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  return td;
}

function row(cells) {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
}

// A secret group the admin is not a member of comes without id or name: counted, never named.
function groupCell(group) {
  return group.groupId ? cell(group.displayName || group.groupId) : cell("a secret group", "unnamed");
}

function showGroups(stats) {
  const growing = stats.growingGroups || [];
  $("growing-groups").querySelector("tbody").replaceChildren(...growing.map((g) =>
    row([groupCell(g), cell(number(g.membersGained)), cell(number(g.posts)), cell(number(g.interactions))])));
  $("silent-groups").querySelector("tbody").replaceChildren(...(stats.silentGroups || []).map((g) =>
    row([groupCell(g), cell(number(g.posts)), cell(g.lastPostDate || "")])));
  $("not-joined").querySelector("tbody").replaceChildren(
    ...(stats.notJoinedDepartments || []).map((v) => row([cell(v.value), cell("department"), cell(number(v.accounts))])),
    ...(stats.notJoinedLocations || []).map((v) => row([cell(v.value), cell("office"), cell(number(v.accounts))])));
  // JSON leaves out a false value: only a true one says the lists are complete.
  $("groups-incomplete").hidden = stats.groupsComplete === true;
}

// Each post's text comes from the JSON API as the admin may read it; the statistics give ids and counts only.
async function showBestReach(stats) {
  const best = stats.bestReachPosts || [];
  const posts = await Promise.all(best.map((p) => getJson("/v1/posts/" + encodeURIComponent(p.postId)).catch(() => null)));
  $("best-reach").replaceChildren(...best.map((p, i) => {
    const li = document.createElement("li");
    li.dataset.postId = p.postId;
    const text = document.createElement("div");
    text.className = "post-text";
    const post = posts[i];
    text.textContent = post ? (post.authorDisplayName || post.authorId) + (post.groupName ? " in " + post.groupName : "") + ": " + post.text : "post " + p.postId;
    const line = document.createElement("div");
    line.className = "figures-line";
    line.textContent = "reach " + number(p.reach) + " · served " + number(p.served) + " times · " + number(p.interactions) + " interactions";
    li.append(text, line);
    return li;
  }));
}

// A bar per item (groups, posts) on a numbered axis, the labels below the bars.
function barChart(target, title, label, labels, values) {
  const width = Math.min(1050, target.clientWidth || 900);
  const options = {
    title, width, height: 200,
    // Bars start at zero, so that their heights compare.
    scales: { x: { time: false, range: [-0.5, Math.max(labels.length, 1) - 0.5] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [{ values: (u, splits) => splits.map((v) => labels[v] ?? ""), incrs: [1] }, {}],
    series: [{}, { label, fill: "#2f6fde88", stroke: "#2f6fde", paths: uPlot.paths.bars({ size: [0.6, 80] }) }],
  };
  return new uPlot(options, [labels.map((_, i) => i), values], target);
}

function chart(target, title, series, columns) {
  const width = Math.min(1050, target.clientWidth || 900);
  const options = {
    title, width, height: 220,
    scales: { x: { time: true } },
    series: [{}, ...series.map((label, i) => ({ label, stroke: ["#2f6fde", "#1c9e63", "#d9822b", "#8e44ad"][i], width: 2 }))],
  };
  return new uPlot(options, columns, target);
}

function drawCharts() {
  for (const old of state.charts) {
    old.destroy();
  }
  const stats = state.stats || {};
  const growing = stats.growingGroups || [];
  const best = stats.bestReachPosts || [];
  const days = state.days;
  const x = days.map((d) => Date.parse(d.date + "T00:00:00Z") / 1000);
  state.charts = [
    chart($("active-chart"), "Active people", ["daily", "weekly", "28 days", "engaged"],
      [x, days.map((d) => number(d.dailyActive)), days.map((d) => number(d.weeklyActive)), days.map((d) => number(d.monthlyActive)), days.map((d) => number(d.engaged))]),
    chart($("mix-chart"), "Contributors and readers", ["contributors", "readers"],
      [x, days.map((d) => number(d.contributors)), days.map((d) => number(d.readers))]),
    chart($("acts-chart"), "Acts per day", ["posts", "comments", "reactions", "shares"],
      [x, days.map((d) => number(d.posts)), days.map((d) => number(d.comments)), days.map((d) => number(d.reactions)), days.map((d) => number(d.shares))]),
    barChart($("growing-chart"), "Members gained", "members gained",
      growing.map((g) => g.groupId ? (g.displayName || g.groupId) : "a secret group"), growing.map((g) => number(g.membersGained))),
    barChart($("reach-chart"), "Reach of the best posts", "reach", best.map((_, i) => "#" + (i + 1)), best.map((p) => number(p.reach))),
  ];
}

async function watchToday() {
  if (state.watch) {
    state.watch.abort();
  }
  state.watch = new AbortController();
  const response = await fetch("/v1/analytics/network:watch", { headers: state.headers, signal: state.watch.signal });
  if (!response.ok || !response.body) {
    return;
  }
  $("live").textContent = "live";
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffered += value;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) {
        const day = JSON.parse(line);
        const last = state.days[state.days.length - 1];
        if (last && last.date === day.date) {
          state.days[state.days.length - 1] = day;
        } else {
          state.days.push(day);
        }
        showToday(day);
        drawCharts();
        document.body.dataset.updates = String(number(document.body.dataset.updates) + 1);
      }
    }
  }
  $("live").textContent = "";
}

async function show() {
  state.headers = credentials();
  if (!state.headers) {
    say("Sign in as a network admin.", false);
    return;
  }
  say("Loading…", false);
  try {
    const stats = await getJson("/v1/analytics/network");
    state.days = stats.days || [];
    state.stats = stats;
    $("today").hidden = false;
    $("charts").hidden = false;
    $("highlights").hidden = false;
    showToday(state.days[state.days.length - 1] || {}, stats);
    fillTable("departments", stats.byDepartment);
    fillTable("locations", stats.byLocation);
    showGroups(stats);
    await showBestReach(stats);
    drawCharts();
    say("The last 28 days; people counted " + (stats.precision || "exactly") + ".", false);
    document.body.dataset.loaded = "true";
    watchToday().catch(() => { $("live").textContent = ""; });
  } catch (error) {
    $("today").hidden = true;
    $("charts").hidden = true;
    $("highlights").hidden = true;
    say("Refused: " + error.message, true);
    document.body.dataset.loaded = "refused";
  }
}

$("signin").addEventListener("submit", (event) => { event.preventDefault(); show(); });
show();
