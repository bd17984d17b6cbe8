// The colour key of a drawing (issue 22, D10): a drawing whose colours mean something
// (spin up and spin down, the two sides of a cut) says so in its root's `data-key`
// attribute, "COLOUR label;COLOUR label", and the key is shown under the current
// drawing as swatches with their labels. A drawing without one hides the key. The page
// learns the meaning from the drawing, so nothing here names a kind.

/** Shows the key of `svg` (the drawing's text) in `list` (a ul), or hides it. */
export function showKey(list, svg) {
  // The root tag only (it may list many positions in data-atoms before the key).
  const match = /^<svg[^>]*\sdata-key="([^"]*)"/.exec(svg.slice(0, svg.indexOf(">") + 1));
  const entries = match ? match[1].split(";").map((entry) => entry.trim()).filter(Boolean) : [];
  const text = entries.join(";");
  if (list.dataset.key === text) return;
  list.dataset.key = text;
  list.replaceChildren(
    ...entries.map((entry) => {
      const [colour, ...words] = entry.split(" ");
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colour;
      item.append(swatch, document.createTextNode(words.join(" ")));
      return item;
    }),
  );
  list.hidden = entries.length === 0;
}
