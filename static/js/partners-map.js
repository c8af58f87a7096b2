// The partnerships' maps, with Leaflet (npm, pinned; served from /vendor/): the territory's actors from the
// GeoJSON endpoint, coloured by kind or by status, and the page that places a partner or a collection point
// (tap the map, the phone's location, or the address through the geocoder the settings name).
// With no tiles (offline, blocked) the pages still work: the list, and the latitude/longitude fields.
const L = window.L;
const FRANCE = [46.6, 2.4];
const PALETTE = ["#1f6f50", "#e07b39", "#3a6ea5", "#b84a62", "#8a8f2a", "#6c4f9c", "#2a9d8f", "#c9a227",
                 "#5b3a29", "#d45087", "#4a4a4a", "#00838f", "#7f7f7f"];

function colours(names) {
  return Object.fromEntries(Object.keys(names).map((code, index) => [code, PALETTE[index % PALETTE.length]]));
}

function baseMap(holder) {
  const map = L.map(holder, { scrollWheelZoom: false }).setView(FRANCE, 5);
  const tiles = L.tileLayer(holder.dataset.tiles, { attribution: holder.dataset.attribution, maxZoom: 19 });
  let failed = 0;
  tiles.on("tileerror", () => {
    failed += 1;
    if (failed === 1) document.querySelector(".map-notice")?.removeAttribute("hidden");
  });
  tiles.on("tileload", () => { if (!failed) holder.classList.add("tiles-loaded"); });
  tiles.addTo(map);
  return map;
}

async function actorsMap(holder) {
  const map = baseMap(holder);
  const kinds = JSON.parse(holder.dataset.kinds);
  const statuses = JSON.parse(holder.dataset.statuses);
  const palette = { kind: colours(kinds), status: colours(statuses) };
  const names = { kind: kinds, status: statuses };
  const legend = document.querySelector(".map-legend");
  let by = "kind";
  const response = await fetch(holder.dataset.geojson, { credentials: "same-origin" });
  const data = await response.json();
  const layer = L.geoJSON(data, {
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
      radius: feature.properties.layer === "point" ? 7 : 10, weight: 2, fillOpacity: 0.85,
      dashArray: feature.properties.layer === "point" ? "3" : null,
    }),
    onEachFeature: (feature, marker) => {
      const p = feature.properties;
      const box = document.createElement("div");
      const link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;  // text, never HTML: names are what people typed
      box.append(link);
      for (const line of [p.kind_label, p.status_label]) {
        if (!line) continue;
        const span = document.createElement("div");
        span.textContent = line;
        box.append(span);
      }
      marker.bindPopup(box);
    },
  }).addTo(map);
  function paint() {
    layer.eachLayer((marker) => {
      const code = marker.feature.properties[by];
      const colour = palette[by][code] || "#7f7f7f";
      marker.setStyle({ color: "#ffffff", fillColor: colour });
      marker.getElement()?.setAttribute("data-colour", colour);
    });
    if (legend) {
      const shown = new Set(data.features.map((feature) => feature.properties[by]));
      legend.replaceChildren(...Object.entries(names[by]).filter(([code]) => shown.has(code)).map(([code, name]) => {
        const item = document.createElement("li");
        const dot = document.createElement("span");
        dot.className = "dot";
        dot.style.background = palette[by][code];
        item.append(dot, document.createTextNode(" " + name));
        return item;
      }));
    }
  }
  paint();
  if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 14 });
  holder.dataset.markers = String(data.features.length);
  for (const radio of document.querySelectorAll('input[name="colour"]')) {
    radio.addEventListener("change", () => { by = radio.value; paint(); });
  }
}

function number(input) {
  const value = parseFloat((input.value || "").replace(",", "."));
  return Number.isFinite(value) ? value : null;
}

function locationPage(form) {
  const lat = form.querySelector('[name="latitude"]');
  const lon = form.querySelector('[name="longitude"]');
  const message = document.querySelector(".location-message");
  const texts = document.getElementById("location-texts").dataset;
  const holder = document.getElementById("location-map");
  let map = null;
  let marker = null;
  function place(latitude, longitude, zoom) {
    lat.value = latitude.toFixed(6).replace(".", ",");
    lon.value = longitude.toFixed(6).replace(".", ",");
    if (!map) return;
    if (marker) marker.setLatLng([latitude, longitude]);
    else marker = L.circleMarker([latitude, longitude], { radius: 10, color: "#fff", fillColor: "#1f6f50", fillOpacity: 0.9 }).addTo(map);
    if (zoom) map.setView([latitude, longitude], zoom);
  }
  if (holder && L) {
    map = baseMap(holder);
    const latitude = number(lat), longitude = number(lon);
    if (latitude !== null && longitude !== null) place(latitude, longitude, 16);
    map.on("click", (event) => place(event.latlng.lat, event.latlng.lng));
  }
  document.querySelector(".locate-me")?.addEventListener("click", () => {
    if (!navigator.geolocation) { message.textContent = texts.unavailable; return; }
    message.textContent = texts.waiting;
    navigator.geolocation.getCurrentPosition(
      (position) => { place(position.coords.latitude, position.coords.longitude, 17); message.textContent = texts.found; },
      () => { message.textContent = texts.unavailable; },
      { enableHighAccuracy: true, timeout: 15000 });
  });
  const geocoder = document.querySelector(".geocoder");
  geocoder?.querySelector(".geocode").addEventListener("click", async () => {
    const address = geocoder.querySelector("input").value.trim();
    if (!address) return;
    message.textContent = texts.waiting;
    try {
      const url = new URL(geocoder.dataset.geocoder);
      url.searchParams.set("q", address);
      url.searchParams.set("limit", "1");
      const answer = await (await fetch(url, { credentials: "omit" })).json();
      const found = answer.features && answer.features[0];
      if (!found) { message.textContent = texts.notFound; return; }
      const [longitude, latitude] = found.geometry.coordinates;
      place(latitude, longitude, 17);
      message.textContent = texts.found;
    } catch (error) {
      message.textContent = texts.notFound;
    }
  });
}

const actors = document.getElementById("partners-map");
if (actors && L) actorsMap(actors);
const locationForm = document.querySelector(".location-form");
if (locationForm) locationPage(locationForm);
