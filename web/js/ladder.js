// The live ladder of a replica-exchange run (method "tempering"): one row per replica,
// hottest at the top and coldest at the bottom like a thermometer, each with its
// temperature, current energy (a bar and the number) and acceptance; between two rows
// the pair's exchange rate, flashing when the pair swapped since the last event; the
// coloured chip of a row is the state it holds, so a swap shows as two chips trading
// places and a state's walk up and down the ladder can be followed by its colour.
// Beside the ladder, the coldest replica's state drawn large: it is the one whose low
// energy is the point of the exercise.
//
// It reads only the progress event's `tempering` object (docs/protocol.md) and the
// current drawing (the coldest replica's); it knows no problem kind. Hidden for
// annealing runs.

import { formatCount, formatPercent, formatValue } from "./format.js";

export class LadderView {
  /** @param {HTMLElement} panel  the (initially hidden) #ladder section */
  constructor(panel) {
    this.panel = panel;
    panel.innerHTML = `
      <h2>Replica ladder <span class="ladder-trips"></span></h2>
      <p class="hint">Each row is one copy of the problem at a fixed temperature. Neighbours
        swap their states now and then, so a state stuck in a valley can climb to where it
        is hot, escape, and come back down. Colours follow the states.</p>
      <div class="ladder-body">
        <ol class="ladder-rows" aria-label="Replicas, hottest first"></ol>
        <figure class="ladder-coldest">
          <figcaption>Coldest replica</figcaption>
          <img alt="The coldest replica's current state" hidden>
        </figure>
      </div>`;
    this.rows = panel.querySelector(".ladder-rows");
    this.trips = panel.querySelector(".ladder-trips");
    this.coldest = panel.querySelector(".ladder-coldest img");
    this.lastSwaps = null;
  }

  /** Forget the previous run (a reset or a new session). */
  clear() {
    this.lastSwaps = null;
    this.rows.replaceChildren();
    this.coldest.hidden = true;
    this.panel.hidden = true;
  }

  /**
   * Show one progress event.
   * @param {object|undefined} t  the event's `tempering` object (absent when annealing)
   * @param {string|undefined} svg  the event's `current_svg` (the coldest replica's state), if sent
   */
  show(t, svg) {
    if (!t) {
      this.panel.hidden = true;
      return;
    }
    this.panel.hidden = false;
    if (svg) {
      this.coldest.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
      this.coldest.hidden = false;
    }
    const n = t.replicas.length;
    const energies = t.replicas.map((r) => r.energy);
    const low = Math.min(...energies);
    const span = Math.max(...energies) - low || 1;
    const swapped = new Set(
      t.swaps.flatMap((count, pair) => (this.lastSwaps && count > this.lastSwaps[pair] ? [pair] : [])),
    );
    this.lastSwaps = t.swaps.slice();
    this.trips.textContent = `· ${formatCount(t.round_trips)} round trips · ${formatCount(t.rounds)} exchange rounds`;

    const items = [];
    for (let i = n - 1; i >= 0; i--) {
      const r = t.replicas[i];
      const row = document.createElement("li");
      row.className = "ladder-row";
      if (i === 0) row.classList.add("coldest");
      const hue = Math.round((360 * r.walker) / n);
      row.innerHTML = `
        <span class="ladder-walker" style="background: hsl(${hue} 70% 50%)" title="state ${r.walker + 1}"></span>
        <span class="ladder-t" title="temperature">T ${formatValue(r.temperature)}</span>
        <span class="ladder-bar"><span style="width: ${(100 * (r.energy - low)) / span}%"></span></span>
        <span class="ladder-e" title="current energy">${formatValue(r.energy)}</span>
        <span class="ladder-acc" title="accepted share of recent moves">${formatPercent(r.recent_acceptance)}</span>`;
      items.push(row);
      if (i > 0) {
        const pair = document.createElement("li");
        pair.className = "ladder-pair";
        if (swapped.has(i - 1)) pair.classList.add("swapped");
        pair.textContent = `⇅ ${formatPercent(t.exchange_rates[i - 1])} of swaps accepted`;
        items.push(pair);
      }
    }
    this.rows.replaceChildren(...items);
  }
}
