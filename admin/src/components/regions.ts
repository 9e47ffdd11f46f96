import { useEffect, useState } from 'react';
import { apiGet } from '../providers/http';

/** A region of the GB/T 2260 tree, as GET /api/dictionaries/regions gives it. */
export type Region = { code: string; name: string; parentCode: string; initials: string; level: RegionLevel; path: string };
export type RegionLevel = 'province' | 'prefecture' | 'county';
export type RegionTree = { all: Region[]; byCode: Map<string, Region>; children: Map<string, Region[]> };

let loading: Promise<RegionTree> | null = null;

const build = (rows: string[][]): RegionTree => {
    const byCode = new Map<string, Region>();
    for (const [code, name, parentCode, initials, level] of rows) byCode.set(code, { code, name, parentCode, initials, level: level as RegionLevel, path: name });
    const children = new Map<string, Region[]>();
    for (const region of byCode.values()) {
        const list = children.get(region.parentCode) ?? [];
        list.push(region);
        children.set(region.parentCode, list);
        const names: string[] = [];
        for (let at: Region | undefined = region, guard = 0; at && guard < 4; guard++, at = at.parentCode ? byCode.get(at.parentCode) : undefined) names.unshift(at.name);
        region.path = names.join('');
    }
    return { all: [...byCode.values()], byCode, children };
};

/** The region tree, read once per page load (the server keeps it in memory; it changes only with a new GB/T 2260 list). */
export const loadRegionTree = (): Promise<RegionTree> => {
    loading ??= apiGet<{ rows: string[][] }>('/api/dictionaries/regions').then((answer) => build(answer.rows));
    loading.catch(() => {
        loading = null;
    });
    return loading;
};

/** The region tree, or null while it loads. */
export const useRegionTree = (): RegionTree | null => {
    const [tree, setTree] = useState<RegionTree | null>(null);
    useEffect(() => {
        let live = true;
        loadRegionTree().then((loaded) => live && setTree(loaded), () => undefined);
        return () => {
            live = false;
        };
    }, []);
    return tree;
};

/**
 * Whether a region matches what the user typed: its name or full name (鲤城, 泉州鲤城), its pinyin
 * initials (lcq), or its code (3505, 350502).
 */
export const matchesRegion = (region: Region, typed: string): boolean => {
    const text = typed.trim().toLowerCase();
    if (!text) return true;
    if (/^\d+$/.test(text)) return region.code.startsWith(text);
    if (/^[a-z]+$/.test(text)) return region.initials.startsWith(text) || region.initials.includes(text);
    return region.path.includes(text) || region.name.includes(text);
};
