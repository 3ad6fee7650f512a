// Reads a PDF with pdf.js (Firefox's viewer) and prints what a reader would get, as JSON:
// {"pages": N, "text": ["page 1 text", ...], "warnings": [...]}; with --png PREFIX it also
// renders every page at 2x to PREFIX-<n>.png. Used by tests/unit/test_pdf_viewers.py.
import fs from "node:fs";
import { getDocument, VerbosityLevel } from "pdfjs-dist/legacy/build/pdf.mjs";

const [path, flag, prefix] = process.argv.slice(2);
const warnings = [];
const originalWarn = console.warn;
console.warn = (...args) => warnings.push(args.join(" "));
console.log = console.warn; // pdf.js reports problems through console.log too

const doc = await getDocument({
  data: new Uint8Array(fs.readFileSync(path)),
  verbosity: VerbosityLevel.WARNINGS,
}).promise;
const text = [];
for (let number = 1; number <= doc.numPages; number++) {
  const page = await doc.getPage(number);
  const content = await page.getTextContent();
  text.push(content.items.map((item) => item.str + (item.hasEOL ? "\n" : "")).join(""));
  if (flag === "--png") {
    const viewport = page.getViewport({ scale: 2 });
    const { canvas, context } = doc.canvasFactory.create(viewport.width, viewport.height);
    await page.render({ canvasContext: context, viewport, canvas }).promise;
    fs.writeFileSync(`${prefix}-${number}.png`, canvas.toBuffer("image/png"));
  }
}
process.stdout.write(JSON.stringify({ pages: doc.numPages, text, warnings }) + "\n");
