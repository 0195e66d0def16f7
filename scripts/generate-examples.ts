// Writes the example reports' data, report/examples/data/: seattle-weather.csv and stocks.csv,
// synthetic files shaped like vega-datasets' files of the same names (same columns, value
// forms and ranges: ISO dates and one-decimal readings for the weather, `Jan 1 2000` dates and
// monthly prices for the stocks), so the examples need no download and no licence check.
// Deterministic: the same seeds always give the same bytes (test/examples.test.ts regenerates
// both and compares). Run: npx tsx scripts/generate-examples.ts
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "./seeded-random.ts";

const WEATHER_SEED = 20_120_101;
const STOCKS_SEED = 20_000_101;

/** A standard normal draw (Box–Muller) from a uniform source. */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const oneDecimal = (x: number): string => (Math.round(x * 10) / 10).toFixed(1);

/** How warm each year runs against the long-term normal, in °C: 2015 was a warm year. */
const YEAR_OFFSET: Record<number, number> = {
  2012: -0.6,
  2013: 0.1,
  2014: 0.7,
  2015: 1.3,
  2016: 0.5,
};

/**
 * Daily Seattle-like weather from 2012 to 2016: seasonal temperatures with day-to-day
 * persistence, wet winters and dry summers, rain amounts skewed like real gauges, and the
 * five weather labels of the original (sun, rain, drizzle, fog, snow).
 */
export function seattleWeatherCsv(): string {
  const random = mulberry32(WEATHER_SEED);
  const lines = ["date,precipitation,temp_max,temp_min,wind,weather"];
  let anomaly = 0;
  let wetYesterday = false;
  for (let t = Date.UTC(2012, 0, 1); t <= Date.UTC(2016, 11, 31); t += 86_400_000) {
    const day = new Date(t);
    const year = day.getUTCFullYear();
    const dayOfYear = (t - Date.UTC(year, 0, 1)) / 86_400_000;
    const summer = (1 - Math.cos((2 * Math.PI * (dayOfYear - 20)) / 365.25)) / 2; // 0 in Jan, 1 in Jul
    anomaly = 0.7 * anomaly + 1.6 * normal(random);
    const wetChance: number = (wetYesterday ? 0.72 : 0.42) - 0.34 * summer;
    const wet: boolean = random() < wetChance;
    wetYesterday = wet;
    const precipitation = wet ? -Math.log(1 - random()) * (3 + 5 * (1 - summer)) : 0;
    const cloudCooling = wet ? 1.5 + 1.5 * summer : 0;
    const tempMax = 7.5 + 17 * summer + YEAR_OFFSET[year] + anomaly - cloudCooling;
    const range = Math.max(1.5, 5 + 5 * summer - (wet ? 2.5 : 0) + 1.4 * normal(random));
    const tempMin = tempMax - range;
    const wind = Math.max(0.4, 3.6 - 1.0 * summer + (wet ? 0.9 : 0) + 1.2 * normal(random));
    let weather: string;
    if (wet) weather = tempMax < 3 ? "snow" : precipitation < 0.6 ? "drizzle" : "rain";
    else weather = random() < 0.16 - 0.1 * summer ? "fog" : "sun";
    lines.push(
      [
        day.toISOString().slice(0, 10),
        oneDecimal(precipitation),
        oneDecimal(tempMax),
        oneDecimal(tempMin),
        oneDecimal(wind),
        weather,
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The original's symbols: first month listed, starting price, yearly drift and volatility. */
const SYMBOLS = [
  { symbol: "MSFT", from: Date.UTC(2000, 0, 1), price: 39.81, drift: -0.02, vol: 0.08 },
  { symbol: "AMZN", from: Date.UTC(2000, 0, 1), price: 64.56, drift: 0.06, vol: 0.15 },
  { symbol: "IBM", from: Date.UTC(2000, 0, 1), price: 100.52, drift: 0.01, vol: 0.07 },
  { symbol: "GOOG", from: Date.UTC(2004, 7, 1), price: 102.37, drift: 0.18, vol: 0.1 },
  { symbol: "AAPL", from: Date.UTC(2000, 0, 1), price: 25.94, drift: 0.2, vol: 0.13 },
] as const;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The market's monthly move shared by every symbol: the 2000–2002 and 2008 falls. */
function marketMove(year: number, month: number, random: () => number): number {
  const crash =
    (year === 2000 && month >= 8) || year === 2001 || (year === 2002 && month <= 8)
      ? -0.035
      : year === 2008 && month >= 5
        ? -0.06
        : year === 2009 && month >= 3
          ? 0.04
          : 0.005;
  return crash + 0.035 * normal(random);
}

/**
 * Monthly closing prices of five technology stocks, January 2000 to March 2010, one row per
 * symbol and month, dates written `Jan 1 2000` as in the original file.
 */
export function stocksCsv(): string {
  const random = mulberry32(STOCKS_SEED);
  const months: { year: number; month: number; t: number; market: number }[] = [];
  for (let year = 2000; year <= 2010; year++) {
    for (let month = 0; month < 12 && !(year === 2010 && month > 2); month++) {
      months.push({
        year,
        month,
        t: Date.UTC(year, month, 1),
        market: marketMove(year, month, random),
      });
    }
  }
  const lines = ["symbol,date,price"];
  for (const s of SYMBOLS) {
    let price = s.price;
    for (const m of months) {
      if (m.t < s.from) continue;
      if (m.t > s.from) price *= Math.exp(s.drift / 12 + 1.2 * m.market + s.vol * normal(random));
      lines.push(`${s.symbol},${MONTHS[m.month]} 1 ${m.year},${price.toFixed(2)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = new URL("../report/examples/data/", import.meta.url);
  writeFileSync(new URL("seattle-weather.csv", folder), seattleWeatherCsv());
  writeFileSync(new URL("stocks.csv", folder), stocksCsv());
}
