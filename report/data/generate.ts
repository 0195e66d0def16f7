// Writes the bundled sample data, report/data/orders.csv: about 45,000 synthetic sales orders
// from 2023 to 2025, with growth, seasonality and the untidiness real exports have (empty
// fields, quoted names with commas and quotes, multi-line notes, outliers, duplicate rows).
// Deterministic: the same seed always writes the same bytes. Run: npx tsx report/data/generate.ts
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "../../scripts/seeded-random.ts";

const ROWS = 45_000;
const DUPLICATES = 10;
const CUSTOMERS = 8_200;
const SEED = 20_230_101;


const random = mulberry32(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** An index drawn with probability proportional to its weight. */
function weighted(weights: readonly number[]): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let u = random() * total;
  for (let k = 0; k < weights.length; k++) {
    u -= weights[k];
    if (u < 0) return k;
  }
  return weights.length - 1;
}

const REGIONS: Record<string, [country: string, weight: number][]> = {
  "North America": [
    ["United States", 30],
    ["Canada", 6],
  ],
  Europe: [
    ["Germany", 7],
    ["United Kingdom", 7],
    ["France", 6],
    ["Spain", 3],
    ["Italy", 3],
    ["Netherlands", 2],
    ["Sweden", 2],
  ],
  "Asia Pacific": [
    ["Japan", 5],
    ["Australia", 4],
    ["India", 4],
    ["China", 4],
    ["South Korea", 2],
    ["Singapore", 2],
  ],
  "Latin America": [
    ["Brazil", 4],
    ["Mexico", 4],
    ["Argentina", 2],
    ["Chile", 1],
    ["Colombia", 1],
  ],
  "Middle East & Africa": [
    ["United Arab Emirates", 2],
    ["South Africa", 2],
    ["Saudi Arabia", 1],
    ["Nigeria", 1],
    ["Egypt", 1],
  ],
};

const COUNTRIES = Object.entries(REGIONS).flatMap(([region, countries]) =>
  countries.map(([country, weight]) => ({ region, country, weight })),
);

/** Products by category, with list prices in USD. */
const CATALOG: Record<string, [product: string, price: number][]> = {
  Electronics: [
    ['27" Monitor', 249.99],
    ['32" 4K Monitor', 429.0],
    ["Wireless Mouse", 24.99],
    ["Mechanical Keyboard", 89.5],
    ["USB-C Hub, 7-in-1", 39.99],
    ["Noise-Cancelling Headphones", 199.0],
    ["Webcam 1080p", 59.99],
    ["Portable SSD 1TB", 109.0],
    ["Bluetooth Speaker", 45.0],
    ["Laptop Stand", 34.99],
  ],
  Furniture: [
    ["Desk Lamp, LED", 29.99],
    ["Standing Desk", 499.0],
    ["Ergonomic Chair", 329.0],
    ["Bookshelf, 5 Shelves", 119.99],
    ["Filing Cabinet", 149.0],
    ["Monitor Arm", 79.99],
    ["Footrest", 27.5],
    ["Side Table", 64.0],
    ["Coat Rack", 42.0],
    ['Whiteboard 48"x36"', 89.0],
  ],
  "Office Supplies": [
    ['Notebook, A5 "Dotted"', 12.99],
    ["Gel Pens (12 pack)", 9.49],
    ["Sticky Notes", 5.99],
    ["Stapler", 14.25],
    ["Paper Ream A4", 7.49],
    ["Desk Organizer", 19.99],
    ["Label Maker", 39.0],
    ["Highlighters, Assorted", 6.75],
    ["Binder Clips", 4.99],
    ["Planner 2025", 18.0],
  ],
  "Home & Kitchen": [
    ["Coffee Maker", 79.0],
    ["Electric Kettle", 34.99],
    ["Chef's Knife", 59.0],
    ["Cast Iron Skillet", 44.99],
    ["Blender", 99.0],
    ["Toaster, 2-Slice", 29.99],
    ["Food Storage Set", 24.5],
    ["Cutting Board", 22.0],
    ["Water Bottle", 19.99],
    ["Tea Sampler", 16.0],
  ],
  "Sports & Outdoors": [
    ["Yoga Mat", 29.0],
    ["Running Shoes", 119.0],
    ["Camping Tent, 2-Person", 149.99],
    ["Hiking Backpack", 89.99],
    ["Dumbbell Set", 129.0],
    ["Cycling Helmet", 69.0],
    ["Jump Rope", 12.0],
    ["Insulated Flask", 27.99],
    ["Resistance Bands", 18.5],
    ["Foam Roller", 24.0],
  ],
  Books: [
    ["Data Visualization Handbook", 42.0],
    ["The Pragmatic Analyst", 35.5],
    ["Statistics, Plainly", 29.99],
    ["SQL Cookbook", 49.0],
    ["Designing Dashboards", 38.0],
    ["Forecasting Basics", 31.25],
    ['"Clean Data" Field Guide', 27.0],
    ["Python for Reports", 44.0],
    ["Storytelling with Numbers", 33.0],
    ["R in Practice", 39.5],
  ],
};

const CATEGORIES = Object.keys(CATALOG);
const CATEGORY_WEIGHTS = [30, 18, 20, 14, 12, 6];
const RETURN_RATE: Record<string, number> = {
  Electronics: 0.09,
  Furniture: 0.07,
  "Office Supplies": 0.02,
  "Home & Kitchen": 0.05,
  "Sports & Outdoors": 0.06,
  Books: 0.03,
};

const NOTES = [
  "Gift wrap requested",
  "Leave at front desk",
  "Expedited shipping",
  "Address corrected, see ticket",
  "Customer called about delay\nResolved by phone",
  "Partial shipment\nRemaining items back-ordered",
  'Customer asked for "signature required"',
  "Bulk order for office",
  "Replacement for damaged item",
];

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2023, 0, 1) / DAY_MS;
const DAYS = Date.UTC(2025, 11, 31) / DAY_MS - FIRST_DAY + 1;

/** Orders per day: 70% growth over the three years, a summer dip, a Q4 peak, quieter weekends. */
const DAY_WEIGHTS = Array.from({ length: DAYS }, (_, d) => {
  const date = new Date((FIRST_DAY + d) * DAY_MS);
  const month = date.getUTCMonth();
  const growth = 1 + (0.7 * d) / DAYS;
  const season = [1.0, 0.9, 1.0, 1.0, 1.0, 0.95, 0.85, 0.9, 1.05, 1.1, 1.4, 1.55][month];
  const weekday = date.getUTCDay();
  return growth * season * (weekday === 0 || weekday === 6 ? 0.8 : 1);
});
const DAY_CUMULATIVE = DAY_WEIGHTS.reduce<number[]>((acc, w) => {
  acc.push((acc.at(-1) ?? 0) + w);
  return acc;
}, []);

function drawDay(): number {
  const u = random() * DAY_CUMULATIVE[DAY_CUMULATIVE.length - 1];
  let low = 0;
  let high = DAY_CUMULATIVE.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (DAY_CUMULATIVE[mid] > u) high = mid;
    else low = mid + 1;
  }
  return low;
}

const customers = Array.from({ length: CUSTOMERS }, (_, k) => ({
  id: `C-${String(k + 1).padStart(6, "0")}`,
  home: COUNTRIES[weighted(COUNTRIES.map((c) => c.weight))],
}));

const pad = (n: number) => String(n).padStart(2, "0");

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

interface Order {
  day: number;
  fields: string[];
}

function makeOrder(): Order {
  const day = drawDay();
  const orderDate = new Date((FIRST_DAY + day) * DAY_MS).toISOString().slice(0, 10);
  let shippedAt = "";
  if (random() >= 0.03) {
    const shipped = new Date((FIRST_DAY + day + 1 + Math.floor(random() * 5)) * DAY_MS);
    shipped.setUTCHours(8 + Math.floor(random() * 12), Math.floor(random() * 60), Math.floor(random() * 60));
    shippedAt = shipped.toISOString().replace(".000Z", "Z");
  }
  const customer = customers[Math.floor(random() ** 1.3 * CUSTOMERS)];
  const category = CATEGORIES[weighted(CATEGORY_WEIGHTS)];
  const [product, listPrice] = pick(CATALOG[category]);
  const channel = random() < 0.02 ? "" : ["Online", "Retail", "Partner"][weighted([55, 30, 15])];
  let quantity = Math.min(20, 1 + Math.floor(-Math.log(1 - random()) * 2.2));
  if (random() < 0.00016) quantity = 500;
  // Prices drift a little with promotions and price changes.
  const unitPrice = Math.round(listPrice * (1 + (random() - 0.5) * 0.1) * 100) / 100;
  const discount = random() < 0.6 ? 0 : (1 + Math.floor(random() * 6)) * 0.05;
  const revenue = Math.round(quantity * unitPrice * (1 - discount) * 100) / 100;
  const returned = random() < RETURN_RATE[category];
  const note = random() < 0.05 ? pick(NOTES) : "";
  return {
    day,
    fields: [
      "", // order_id, numbered once the orders are in date order
      orderDate,
      shippedAt,
      customer.home.region,
      customer.home.country,
      category,
      product,
      customer.id,
      channel,
      String(quantity),
      unitPrice.toFixed(2),
      discount === 0 ? "0" : discount.toFixed(2),
      random() < 0.01 ? "" : revenue.toFixed(2),
      String(returned),
      "USD",
      note,
    ],
  };
}

/** The whole CSV text. */
export function generateOrders(): string {
  const orders = Array.from({ length: ROWS - DUPLICATES }, makeOrder);
  orders.sort((a, b) => a.day - b.day);
  orders.forEach((order, k) => {
    order.fields[0] = String(100_001 + k);
  });
  // Exact duplicate rows, as a double export would leave them, next to their originals.
  for (let k = 0; k < DUPLICATES; k++) {
    const at = Math.floor(random() * orders.length);
    orders.splice(at + 1, 0, { day: orders[at].day, fields: [...orders[at].fields] });
  }
  const header = [
    "order_id",
    "order_date",
    "shipped_at",
    "region",
    "country",
    "category",
    "product",
    "customer_id",
    "channel",
    "quantity",
    "unit_price",
    "discount",
    "revenue",
    "returned",
    "currency",
    "note",
  ];
  const lines = [header.join(",")];
  for (const order of orders) lines.push(order.fields.map(csvField).join(","));
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(new URL("orders.csv", import.meta.url));
  const text = generateOrders();
  writeFileSync(path, text);
  console.log(`wrote ${path} (${(text.length / 1e6).toFixed(2)} MB)`);
}
