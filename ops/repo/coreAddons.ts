/**
 * The modules Odoo itself ships, per series: Community (in every official image) and Enterprise
 * (only where the enterprise repository is on the addons path). Data in core-addons/ (see its
 * README for the source).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { OdooSeries, odooSeries } from "../../config/schema";

export type Edition = "community" | "enterprise";

const cache = new Map<string, ReadonlySet<string>>();

export function coreAddons(series: OdooSeries, edition: Edition): ReadonlySet<string> {
    if (!odooSeries.includes(series)) throw new Error(`no core addons list for Odoo ${series}: supported series are ${odooSeries.join(", ")}`);
    const key = `${series}-${edition === "community" ? "c" : "e"}`;
    let names = cache.get(key);
    if (!names) {
        const text = fs.readFileSync(path.join(__dirname, "core-addons", `addons-${key}.txt`), "utf8");
        names = new Set(
            text
                .split("\n")
                .map((l) => l.trim())
                .filter((l) => l && !l.startsWith("#")),
        );
        cache.set(key, names);
    }
    return names;
}
