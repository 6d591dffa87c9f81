// Station page of the edge box: snapshot, draggable station regions, members, confirm.
// Regions are fractions of the image (x, y, w, h), the same numbers the box stores.
"use strict";

const MIN = 0.02; // smallest region side, as the box checks it
let roster = [];

function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }
function round(v) { return Math.round(v * 10000) / 10000; }

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : {};
  if (!response.ok) throw new Error(body.detail || `${response.status} ${response.statusText}`);
  return body;
}

function place(box, r) {
  box.dataset.region = JSON.stringify(r);
  Object.assign(box.style, { left: `${r[0] * 100}%`, top: `${r[1] * 100}%`,
                             width: `${r[2] * 100}%`, height: `${r[3] * 100}%` });
}

function regionOf(box) { return JSON.parse(box.dataset.region); }

function makeBox(frame, station) {
  const box = document.createElement("div");
  box.className = "station-box";
  box.tabIndex = 0;
  box.dataset.id = station.id;
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", `station ${station.id}`);
  box.innerHTML = `<span class="label"></span><span class="handle" aria-hidden="true"></span>`;
  box.querySelector(".label").textContent = station.id;
  place(box, station.region.map(Number));
  box.addEventListener("pointerdown", (ev) => drag(ev, frame, box));
  box.addEventListener("keydown", (ev) => nudge(ev, box));
  frame.appendChild(box);
  return box;
}

function drag(ev, frame, box) {
  ev.preventDefault();
  box.focus();
  const resizing = ev.target.classList.contains("handle");
  const rect = frame.getBoundingClientRect();
  const start = regionOf(box);
  const x0 = ev.clientX, y0 = ev.clientY;
  box.setPointerCapture(ev.pointerId);
  const move = (e) => {
    const dx = (e.clientX - x0) / rect.width, dy = (e.clientY - y0) / rect.height;
    const [x, y, w, h] = start;
    place(box, resizing
      ? [x, y, round(clamp(w + dx, MIN, 1 - x)), round(clamp(h + dy, MIN, 1 - y))]
      : [round(clamp(x + dx, 0, 1 - w)), round(clamp(y + dy, 0, 1 - h)), w, h]);
  };
  const up = () => {
    box.removeEventListener("pointermove", move);
    box.removeEventListener("pointerup", up);
  };
  box.addEventListener("pointermove", move);
  box.addEventListener("pointerup", up);
}

function nudge(ev, box) {
  const step = 0.01;
  const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[ev.key];
  if (!d) return;
  ev.preventDefault();
  const [x, y, w, h] = regionOf(box);
  place(box, ev.shiftKey
    ? [x, y, round(clamp(w + d[0], MIN, 1 - x)), round(clamp(h + d[1], MIN, 1 - y))]
    : [round(clamp(x + d[0], 0, 1 - w)), round(clamp(y + d[1], 0, 1 - h)), w, h]);
}

function memberSelect(station) {
  const select = document.createElement("select");
  select.name = `member-${station.id}`;
  select.setAttribute("aria-label", `member at station ${station.id}`);
  select.add(new Option("from the roster", ""));
  for (const m of roster) select.add(new Option(m.name, m.member_id, false, m.member_id === station.member));
  return select;
}

function addRow(tbody, frame, station) {
  const row = tbody.insertRow();
  row.dataset.id = station.id;
  row.insertCell().textContent = station.id;
  row.insertCell().appendChild(memberSelect(station));
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "Remove";
  remove.setAttribute("aria-label", `remove station ${station.id}`);
  remove.addEventListener("click", () => {
    row.remove();
    frame.querySelector(`.station-box[data-id="${CSS.escape(station.id)}"]`)?.remove();
  });
  row.insertCell().appendChild(remove);
}

function renderStations(section, camera, stations) {
  const frame = section.querySelector(".frame");
  const tbody = section.querySelector("tbody");
  frame.querySelectorAll(".station-box").forEach((b) => b.remove());
  tbody.replaceChildren();
  for (const s of stations) {
    makeBox(frame, s);
    addRow(tbody, frame, s);
  }
}

function showSnapshot(section, camera) {
  const frame = section.querySelector(".frame");
  frame.querySelector(".empty")?.remove();
  let img = frame.querySelector("img");
  if (!img) {
    img = document.createElement("img");
    img.alt = `snapshot of camera ${camera.camera_id}`;
    frame.prepend(img);
  }
  img.src = `/stations/${encodeURIComponent(camera.camera_id)}/snapshot.jpg?t=${Date.now()}`;
  if (camera.resolution?.[0]) frame.style.aspectRatio = `${camera.resolution[0]} / ${camera.resolution[1]}`;
}

function nextId(section, camera) {
  const taken = new Set([...section.querySelectorAll("tbody tr")].map((r) => r.dataset.id));
  for (let k = 1; ; k++) if (!taken.has(`${camera.camera_id}-${k}`)) return `${camera.camera_id}-${k}`;
}

function renderCamera(camera) {
  const section = document.createElement("section");
  section.className = "camera";
  section.dataset.camera = camera.camera_id;
  section.setAttribute("aria-labelledby", `h-${camera.camera_id}`);
  section.innerHTML = `
    <h2 id="h-${camera.camera_id}"></h2>
    <p>State: <span class="state"></span> <span class="error"></span></p>
    <div class="frame"><div class="empty">No snapshot yet.</div></div>
    <div class="actions">
      <button type="button" class="propose">Take snapshot and propose stations</button>
      <button type="button" class="add">Add a station</button>
      <button type="button" class="confirm">Confirm layout</button>
    </div>
    <table><thead><tr><th scope="col">Station</th><th scope="col">Member</th><th scope="col"></th></tr></thead>
      <tbody></tbody></table>
    <p role="status" class="message"></p>`;
  section.querySelector("h2").textContent = `Camera ${camera.camera_id}`;
  const state = section.querySelector(".state");
  state.textContent = camera.state;
  state.classList.add(camera.state);
  if (camera.last_error) section.querySelector(".error").textContent = `(${camera.last_error})`;
  if (camera.has_snapshot) showSnapshot(section, camera);
  renderStations(section, camera, camera.stations);
  const message = section.querySelector(".message");
  section.querySelector(".propose").addEventListener("click", async (ev) => {
    ev.target.disabled = true;
    message.textContent = "Looking for people…";
    try {
      const p = await api(`/stations/${encodeURIComponent(camera.camera_id)}/propose`, { method: "POST" });
      showSnapshot(section, { ...camera, resolution: [p.width, p.height] });
      renderStations(section, camera, p.regions.map((r, k) => ({ id: `${camera.camera_id}-${k + 1}`, region: r, member: null })));
      message.textContent = `Found ${p.people} ${p.people === 1 ? "person" : "people"}: check the stations, then confirm.`;
    } catch (e) {
      message.textContent = `Could not propose stations: ${e.message}`;
    } finally {
      ev.target.disabled = false;
    }
  });
  section.querySelector(".add").addEventListener("click", () => {
    const station = { id: nextId(section, camera), region: [0.4, 0.3, 0.2, 0.4], member: null };
    makeBox(section.querySelector(".frame"), station);
    addRow(section.querySelector("tbody"), section.querySelector(".frame"), station);
  });
  section.querySelector(".confirm").addEventListener("click", async () => {
    const stations = [...section.querySelectorAll("tbody tr")].map((row) => {
      const box = section.querySelector(`.station-box[data-id="${CSS.escape(row.dataset.id)}"]`);
      const member = row.querySelector("select").value || null;
      return { id: row.dataset.id, region: regionOf(box), member };
    });
    try {
      const saved = await api(`/stations/${encodeURIComponent(camera.camera_id)}/layout`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ stations }) });
      message.textContent = `Saved ${saved.stations.length} stations for camera ${camera.camera_id}.`;
      await refresh(camera.camera_id);
    } catch (e) {
      message.textContent = `Not saved: ${e.message}`;
    }
  });
  return section;
}

async function refresh(keepMessageOf) {
  const root = document.getElementById("cameras");
  const kept = keepMessageOf && root.querySelector(`section[data-camera="${CSS.escape(keepMessageOf)}"] .message`)?.textContent;
  const state = await api("/stations/state");
  roster = state.roster;
  root.replaceChildren(...state.cameras.map(renderCamera));
  if (kept) root.querySelector(`section[data-camera="${CSS.escape(keepMessageOf)}"] .message`).textContent = kept;
  root.setAttribute("aria-busy", "false");
}

refresh().catch((e) => {
  document.getElementById("cameras").textContent = `Could not load the cameras: ${e.message}`;
});
