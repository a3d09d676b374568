#!/usr/bin/env python3
"""Blind synthetic marketplace generator.

Writes one synthetic online marketplace in the table contract of
docs/tables.md (entities, seller_links, stock, payments, shipments, evidence)
together with the planted answer in truth.csv (kind,id,ring,role,group,fresh).

    /usr/bin/python3 generate.py OUT_DIR --sellers N --seed S [--gzip]

Every structural choice is drawn per market from the seed; README.md beside
this file describes what is planted and the ranges drawn from.  Only the
standard library and numpy are used.  The same arguments give byte-identical
files.  A one-line JSON summary of the market is printed on stdout.
"""

import argparse
import datetime
import gzip
import json
import os
import sys

import numpy as np

SELLER, WAREHOUSE, ACCOUNT, BRAND = 0, 1, 2, 3
KIND_NAMES = ["seller", "warehouse", "account", "brand"]
LEGIT, SOURCE, DISTRIB, STORE, COLLECT = 0, 1, 2, 3, 4
ROLE_NAMES = ["legit", "source", "distributor", "storefront", "collector"]
G_NONE, G_MULTI, G_FRAN, G_HUB = 0, 1, 2, 3
GROUP_NAMES = ["", "multi_store", "franchise", "hub"]
DEVICE, ADDRESS, PHONE, BANK, IMAGE, CONTACT = 0, 1, 2, 3, 4, 5
LINK_NAMES = ["device", "address", "phone", "bank_holder", "image", "contact"]
STRONG_TIES = (DEVICE, PHONE, BANK)          # the ties of the fresh definition
TAKEDOWN, TB_FAKE, TB_GENUINE, COMPLAINT, ENFORCED = 0, 1, 2, 3, 4
SIGNAL_NAMES = ["takedown", "test_buy_counterfeit", "test_buy_genuine",
                "complaint", "enforcement_confirmed"]
REPORTERS = ["", "platform", "customs", "police", "consumer",
             "rights_agent", "trust_and_safety"]
R_EMPTY, R_PLATFORM, R_CUSTOMS, R_POLICE, R_CONSUMER, R_AGENT, R_TRUST = range(7)
R_BRAND = -1                                  # the reporter is the brand itself

FRESH_WINDOW = 14                             # days, up to and including the newest date


# ---------------------------------------------------------------------------
# parameters of one market

def draw_params(rng, n):
    """Every structural choice of the market, drawn from the seed."""
    def u(a, b):
        return float(rng.uniform(a, b))

    def lu(a, b):
        return float(np.exp(rng.uniform(np.log(a), np.log(b))))

    p = {}
    # time
    p["export_day"] = datetime.date(2020, 6, 1).toordinal() + int(rng.integers(0, 2000))
    p["period_days"] = int(rng.integers(365, 731))
    # rings: how many and how large
    p["ring_store_share"] = lu(0.003, 0.06)
    p["ring_size_median"] = lu(4.0, 40.0)
    p["ring_size_sigma"] = u(0.3, 1.3)
    p["ring_size_max"] = int(rng.integers(60, 701))
    p["ring_factories_max"] = int(rng.integers(1, 5))
    p["stores_per_distributor"] = u(6.0, 60.0)
    p["stores_per_collector"] = u(15.0, 150.0)
    p["ring_brands_extra"] = u(0.0, 0.6)      # chance of each extra counterfeited brand
    p["ring_age_skew"] = u(1.0, 3.0)          # storefronts younger than honest sellers
    # churn
    p["rereg_rate"] = u(0.0, 0.5)
    p["takedown_only_rate"] = u(0.0, 0.15)
    # identifiers inside rings
    p["ring_link_mean"] = lu(0.2, 2.5)
    p["ring_link_types"] = [float(x) for x in rng.dirichlet([3, 1.5, 2, 2, 1.5, 1.5])]
    p["rereg_link_bank"] = u(0.2, 0.8)        # re-registration tie: bank holder vs device
    # camouflage
    p["cross_link_rate"] = u(0.0, 1.5)
    p["ring_dist_stock"] = u(0.4, 1.0)
    p["ring_hub_stock"] = u(0.05, 0.9)
    p["ring_direct_ship"] = u(0.0, 0.25)
    p["dual_factory"] = u(0.0, 0.8)
    p["dist_serves_legit"] = u(0.0, 0.6)
    p["sweep_rate"] = u(0.5, 1.0)
    p["sweep_chain"] = u(0.0, 0.3)
    p["mule_rate"] = u(0.0, 0.4)
    p["collector_legit"] = u(0.0, 0.5)
    p["inter_ring_pay"] = u(0.0, 0.5)
    # unrecorded flows
    p["ship_missing"] = u(0.0, 0.3)
    p["pay_missing"] = u(0.0, 0.25)
    p["row_drop"] = u(0.0, 0.15)
    # evidence
    p["report_rate"] = lu(0.02, 0.4)
    p["report_conc"] = u(1.0, 10.0)
    p["seizure"] = u(0.0, 0.5)
    p["collector_freeze"] = u(0.0, 0.1)
    p["genuine_share"] = u(0.0, 0.35)
    p["off_brand"] = u(0.0, 0.15)
    p["legit_complaint"] = lu(0.002, 0.05)
    p["legit_wrong_takedown"] = u(0.0, 0.004)
    p["legit_genuine_tb"] = u(0.0, 0.02)
    p["legit_false_tb"] = u(0.0, 0.001)
    p["lookalike_ev_mult"] = u(1.0, 8.0)
    p["legit_seizure"] = u(0.0, 0.02)
    # fresh entities
    p["ring_fresh_prob"] = u(0.6, 0.95)
    p["fresh_two_ties"] = u(0.1, 0.6)
    p["fresh_after_takedown"] = u(0.0, 0.8)
    p["ring_new_with_ev"] = u(0.0, 0.4)
    p["control_ratio"] = u(0.7, 1.3)
    p["control_multi"] = u(0.0, 0.3)
    p["new_unlinked_ratio"] = u(0.5, 2.0)
    # legitimate market
    p["young_share"] = u(0.15, 0.6)
    p["legit_close"] = u(0.0, 0.15)
    p["sellers_per_hub"] = lu(3000.0, 30000.0)
    p["hub_zipf"] = u(0.6, 1.6)
    p["n_processors"] = int(rng.integers(1, 9))
    p["n_fee_accounts"] = int(rng.integers(1, 4))
    p["sellers_per_factory"] = lu(150.0, 600.0)
    p["sellers_per_wholesaler"] = lu(80.0, 300.0)
    p["legit_hub_use"] = u(0.3, 0.95)
    p["legit_own_wh"] = u(0.02, 0.2)
    p["legit_ws_stock"] = u(0.02, 0.3)
    p["legit_supplied"] = u(0.2, 0.8)
    p["processor_use"] = u(0.1, 0.7)
    p["ms_share"] = u(0.005, 0.06)
    p["ms_mean"] = u(2.0, 8.0)
    p["ms_density"] = u(0.5, 1.0)
    p["fr_share"] = u(0.0, 0.05)
    p["fr_mean"] = u(5.0, 40.0)
    p["family_share"] = u(0.01, 0.08)
    p["office_share"] = u(0.0, 0.05)
    p["agency_share"] = u(0.0, 0.1)
    p["copy_rate"] = u(0.0, 0.05)
    p["n_brands"] = int(20 + n // lu(200.0, 2000.0))
    p["brand_zipf"] = u(0.5, 1.5)
    # volumes (rows per month of lifetime)
    p["pay_rate"] = u(0.3, 1.5)
    p["fee_rate"] = u(0.2, 1.0)
    p["stock_rate"] = u(0.05, 0.5)
    p["ship_rate"] = u(0.1, 0.8)
    p["bulk_rate"] = u(0.2, 2.0)
    # platform data gaps
    p["entity_missing"] = u(0.0, 0.25)
    p["region_missing"] = u(0.0, 0.3)
    p["created_missing"] = u(0.0, 0.2)
    # file format (all within the contract)
    p["id_style"] = ["prefixed", "hex", "numeric", "tagged"][int(rng.integers(0, 4))]
    p["fmt_shuffle_columns"] = bool(rng.random() < 0.4)
    p["fmt_extra_column"] = bool(rng.random() < 0.35)
    p["fmt_extra_newline"] = bool(rng.random() < 0.2)
    p["fmt_eol"] = ["lf", "crlf", "mixed"][int(rng.choice(3, p=[0.7, 0.2, 0.1]))]
    p["fmt_bom"] = bool(rng.random() < 0.15)
    p["fmt_quote_all"] = bool(rng.random() < 0.15)
    p["fmt_odd_brands"] = bool(rng.random() < 0.3)
    return p


# ---------------------------------------------------------------------------
# entity registry of one kind

class Reg:
    FIELDS = (("created", np.int32, 0), ("end", np.int32, 0), ("region", np.int32, -1),
              ("ring", np.int32, -1), ("role", np.int8, 0), ("group", np.int8, 0),
              ("fresh", np.int8, 0), ("keep", np.int8, 0), ("payout", np.int64, -1),
              ("brand", np.int32, -1), ("owner", np.int64, -1))

    def __init__(self):
        self.n = 0
        self.cap = 0
        self.a = {}
        self._grow(4096)

    def _grow(self, need):
        cap = max(need, 2 * self.cap, 4096)
        for name, dt, fill in self.FIELDS:
            new = np.full(cap, fill, dt)
            if name in self.a:
                new[:self.n] = self.a[name][:self.n]
            self.a[name] = new
        self.cap = cap

    def add(self, count, **vals):
        count = int(count)
        if self.n + count > self.cap:
            self._grow(self.n + count)
        s, e = self.n, self.n + count
        for name, _dt, fill in self.FIELDS:
            self.a[name][s:e] = vals.get(name, fill)
        self.n = e
        return np.arange(s, e, dtype=np.int64)

    def __getitem__(self, name):
        return self.a[name][:self.n]


def zipf_weights(n, a):
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** a
    return w / w.sum()


# ---------------------------------------------------------------------------
# the market

class Market:
    def __init__(self, n_sellers, seed):
        self.N = int(n_sellers)
        self.seed = int(seed)
        self.rng = np.random.Generator(np.random.PCG64(self.seed))
        self.p = draw_params(self.rng, self.N)
        self.D = self.p["export_day"]
        self.S0 = self.D - self.p["period_days"]
        self.R = [Reg(), Reg(), Reg(), Reg()]
        self.T = {"links": [], "stock": [], "pay": [], "ship": [], "ev": []}
        self.stats = {}
        self.ring_info = []

    # -- small helpers -----------------------------------------------------
    def add(self, kind, count, created, **kw):
        kw.setdefault("end", self.D)
        return self.R[kind].add(count, created=created, **kw)

    def _arr(self, v, n, dt):
        a = np.asarray(v, dtype=dt)
        if a.ndim == 0:
            a = np.full(n, a, dtype=dt)
        return a

    def _expand(self, lo, hi, rate, counts, min1, early=False):
        rng = self.rng
        lo = np.asarray(lo, np.int64)
        hi = np.asarray(hi, np.int64)
        valid = hi >= lo
        if counts is None:
            months = np.maximum(hi - lo + 1, 0) / 30.44
            counts = rng.poisson(np.asarray(rate, np.float64) * months)
            if min1:
                counts = np.maximum(counts, 1)
        counts = np.where(valid, np.broadcast_to(counts, lo.shape), 0)
        idx = np.repeat(np.arange(lo.shape[0]), counts)
        lo_r = lo[idx]
        span = hi[idx] - lo_r + 1
        uu = rng.random(idx.shape[0])
        if early:
            uu = uu ** 3
        d = lo_r + np.minimum((uu * span).astype(np.int64), span - 1)
        return idx, d

    def _span(self, kx, x, ky, y, link=False):
        Rx, Ry = self.R[kx], self.R[ky]
        lo = np.maximum(np.maximum(Rx.a["created"][x], Ry.a["created"][y]), self.S0)
        if link:        # an identifier match is seen even after an account closed
            hi = np.full(lo.shape, self.D)
        else:
            hi = np.minimum(Rx.a["end"][x], Ry.a["end"][y])
        return lo.astype(np.int64), hi.astype(np.int64)

    def _lognorm(self, med, sigma, n):
        return np.asarray(med, np.float64) * np.exp(self.rng.normal(0.0, sigma, n))

    # -- emitters ------------------------------------------------------------
    def link(self, a, b, types, counts=1):
        a = np.asarray(a, np.int64)
        b = np.asarray(b, np.int64)
        if a.size == 0:
            return
        t = self._arr(types, a.size, np.int8)
        ok = a != b
        a, b, t = a[ok], b[ok], t[ok]
        lo, hi = self._span(SELLER, a, SELLER, b, link=True)
        idx, d = self._expand(lo, hi, None, counts if np.ndim(counts) == 0 else np.asarray(counts)[ok],
                              False, early=True)
        if idx.size:
            # the platform records the pair in either order
            sw = self.rng.random(idx.size) < 0.5
            aa, bb = a[idx], b[idx]
            self.T["links"].append((np.where(sw, bb, aa).astype(np.int32),
                                    np.where(sw, aa, bb).astype(np.int32), t[idx], d.astype(np.int32)))

    def stock(self, s, w, rate=None, counts=None, min1=True, med=50.0, sigma=1.0, drop=0.0):
        s = np.asarray(s, np.int64)
        w = np.asarray(w, np.int64)
        if s.size == 0:
            return
        lo, hi = self._span(SELLER, s, WAREHOUSE, w)
        idx, d = self._expand(lo, hi, self.p["stock_rate"] if rate is None else rate, counts, min1)
        if drop > 0:
            k = self.rng.random(idx.size) >= drop
            idx, d = idx[k], d[k]
        if idx.size:
            units = np.rint(self._lognorm(self._arr(med, s.size, np.float64)[idx], sigma, idx.size))
            units[self.rng.random(idx.size) < 0.02] = 0     # out of stock at that observation
            self.T["stock"].append((s[idx].astype(np.int32), w[idx].astype(np.int32),
                                    units.astype(np.int32), d.astype(np.int32)))

    def pay(self, kx, x, ky, y, rate=None, counts=None, min1=True, med=100.0, sigma=0.8, drop=0.0):
        x = np.asarray(x, np.int64)
        y = np.asarray(y, np.int64)
        if x.size == 0:
            return
        if kx == ky:
            ok = x != y
            x, y = x[ok], y[ok]
            if np.ndim(med):
                med = np.asarray(med)[ok]
            if np.ndim(rate):
                rate = np.asarray(rate)[ok]
        lo, hi = self._span(kx, x, ky, y)
        idx, d = self._expand(lo, hi, self.p["pay_rate"] if rate is None else rate, counts, min1)
        if drop > 0:
            k = self.rng.random(idx.size) >= drop
            idx, d = idx[k], d[k]
        if idx.size:
            cents = np.maximum(np.rint(self._lognorm(self._arr(med, x.size, np.float64)[idx],
                                                     sigma, idx.size) * 100.0), 1).astype(np.int64)
            n = idx.size
            self.T["pay"].append((np.full(n, kx, np.int8), x[idx].astype(np.int32),
                                  np.full(n, ky, np.int8), y[idx].astype(np.int32), cents,
                                  d.astype(np.int32)))

    def ship(self, kx, x, ky, y, rate=None, counts=None, min1=True, med=50.0, sigma=0.9, drop=0.0):
        x = np.asarray(x, np.int64)
        y = np.asarray(y, np.int64)
        if x.size == 0:
            return
        if kx == ky:
            ok = x != y
            x, y = x[ok], y[ok]
            if np.ndim(med):
                med = np.asarray(med)[ok]
        lo, hi = self._span(kx, x, ky, y)
        idx, d = self._expand(lo, hi, self.p["ship_rate"] if rate is None else rate, counts, min1)
        if drop > 0:
            k = self.rng.random(idx.size) >= drop
            idx, d = idx[k], d[k]
        if idx.size:
            units = np.maximum(np.rint(self._lognorm(self._arr(med, x.size, np.float64)[idx],
                                                     sigma, idx.size)), 1).astype(np.int64)
            n = idx.size
            self.T["ship"].append((np.full(n, kx, np.int8), x[idx].astype(np.int32),
                                   np.full(n, ky, np.int8), y[idx].astype(np.int32),
                                   np.minimum(units, 2 ** 31 - 1).astype(np.int32), d.astype(np.int32)))

    def evidence(self, kind, x, sig, brand, rep, dates=None):
        x = np.asarray(x, np.int64)
        if x.size == 0:
            return
        n = x.size
        if dates is None:
            Rk = self.R[kind]
            lo = np.maximum(Rk.a["created"][x], self.S0).astype(np.int64)
            hi = Rk.a["end"][x].astype(np.int64)
            ok = hi >= lo
            x, lo, hi = x[ok], lo[ok], hi[ok]
            sig = self._arr(sig, n, np.int8)[ok]
            brand = self._arr(brand, n, np.int64)[ok]
            rep = self._arr(rep, n, np.int8)[ok]
            n = x.size
            dates = lo + np.minimum((self.rng.random(n) * (hi - lo + 1)).astype(np.int64), hi - lo)
        else:
            sig = self._arr(sig, n, np.int8)
            brand = self._arr(brand, n, np.int64)
            rep = self._arr(rep, n, np.int8)
            dates = self._arr(dates, n, np.int64)
        if n:
            self.T["ev"].append((np.full(n, kind, np.int8), x.astype(np.int32), sig,
                                 brand.astype(np.int32), dates.astype(np.int32), rep))

    # -- building ------------------------------------------------------------
    def build(self):
        self._plan()
        self._regions_and_brands()
        self._infrastructure()
        self._legit_sellers()
        self._lookalikes()
        self._legit_links()
        for r in range(len(self.plan)):
            self._ring(r)
        self._between_rings()
        self._fresh_controls()
        self._legit_evidence()
        self._finalize_tables()
        self._repair_rings()

    def _plan(self):
        rng, p, N = self.rng, self.p, self.N
        target = max(3, int(round(p["ring_store_share"] * N)))
        target = min(target, max(3, int(0.3 * N)))
        sizes, total = [], 0
        while total < target:
            k = int(round(np.exp(rng.normal(np.log(p["ring_size_median"]), p["ring_size_sigma"]))))
            k = int(np.clip(k, 3, p["ring_size_max"]))
            if total + k > target:
                k = max(3, target - total)
            sizes.append(k)
            total += k
        plan = []
        for k in sizes:
            nf = 0
            if rng.random() < p["ring_fresh_prob"]:
                nf = min(1 + int(rng.poisson(k / 50.0)), 4, k - 2)
            ne = 1 if (rng.random() < p["ring_new_with_ev"] and k - nf >= 4) else 0
            plan.append((k, nf, ne))
        self.plan = plan
        n_ring_fresh = sum(x[1] for x in plan)
        self.n_controls = max(1, int(round(n_ring_fresh * p["control_ratio"])))
        self.n_new_unlinked = int(round(self.n_controls * p["new_unlinked_ratio"]))
        self.n_new_ev = int(rng.poisson(self.n_controls * 0.15))
        self.n_new_many = int(rng.poisson(self.n_controls * 0.1))
        ring_total = sum(x[0] for x in plan)
        rest = N - ring_total - self.n_controls - self.n_new_unlinked - self.n_new_ev - self.n_new_many
        # look-alikes
        ms, t = [], int(p["ms_share"] * N)
        while sum(ms) < t:
            ms.append(int(min(25, 2 + rng.geometric(1.0 / max(1.0, p["ms_mean"] - 1.0)) - 1)))
        fr, t = [], int(p["fr_share"] * N)
        while sum(fr) < t:
            fr.append(int(min(150, 4 + rng.geometric(1.0 / max(1.0, p["fr_mean"] - 3.0)) - 1)))
        while ms and rest - sum(ms) - sum(fr) < max(10, N // 2):
            ms.pop()
        while fr and rest - sum(ms) - sum(fr) < max(10, N // 2):
            fr.pop()
        self.ms_sizes, self.fr_sizes = ms, fr
        self.n_ordinary = rest - sum(ms) - sum(fr)
        if self.n_ordinary < 10:
            raise SystemExit("--sellers too small for this market (need at least ~60)")

    def _regions_and_brands(self):
        rng, p = self.rng, self.p
        mfg_cc = ["CN", "VN", "IN", "TR", "BD", "PK", "ID", "TH", "MY", "MX"]
        mkt_cc = ["US", "GB", "DE", "FR", "IT", "ES", "PL", "NL", "BR", "JP", "KR", "AU", "CA",
                  "SE", "CN", "TR", "MX", "IN"]
        names = []
        n_mfg_c = int(rng.integers(2, 6))
        mc = rng.choice(mfg_cc, n_mfg_c, replace=False)
        for c in mc:
            for s in rng.choice(60, int(rng.integers(1, 5)), replace=False):
                names.append("%s-%02d" % (c, s + 1))
        self.mfg_regions = np.arange(len(names))
        n_mkt_c = int(rng.integers(3, 12))
        kc = rng.choice(mkt_cc, n_mkt_c, replace=False)
        start = len(names)
        for c in kc:
            for s in rng.choice(60, int(rng.integers(1, 8)), replace=False):
                nm = "%s-%02d" % (c, s + 1)
                if nm not in names:
                    names.append(nm)
        self.mkt_regions = np.arange(start, len(names))
        self.mkt_w = rng.permutation(zipf_weights(len(self.mkt_regions), 0.9))
        self.mfg_w = rng.permutation(zipf_weights(len(self.mfg_regions), 0.7))
        self.region_names = names
        # brands
        syl = ["ka", "lo", "mi", "ve", "ra", "to", "zen", "bri", "sol", "nu", "tex", "vio", "mar",
               "dal", "qui", "fen", "gor", "lux", "pra", "sti", "on", "el", "ar", "ix", "ber", "cor"]
        odd = ["Société ", "Müller ", "Øre ", "Ñandú ", "Çelik ", "Åkers "]
        nb = p["n_brands"]
        seen = {}
        brands = []
        while len(brands) < nb:
            k = int(rng.integers(2, 4))
            nm = "".join(syl[i] for i in rng.integers(0, len(syl), k)).capitalize()
            r = rng.random()
            if r < 0.15:
                nm += " " + ["Sport", "Home", "Kids", "Pro", "Outdoor", "Beauty"][int(rng.integers(0, 6))]
            if p["fmt_odd_brands"]:
                r2 = rng.random()
                if r2 < 0.05:
                    nm = odd[int(rng.integers(0, len(odd)))] + nm
                elif r2 < 0.08:
                    nm = nm + ", Inc."
                elif r2 < 0.10:
                    nm = nm + ' "Original"'
            if nm in seen:
                continue
            seen[nm] = 1
            brands.append(nm)
        self.brand_names = brands
        self.brand_w = zipf_weights(nb, p["brand_zipf"])
        self.R[BRAND].add(nb, created=self.S0 - 5000, end=self.D,
                          region=rng.choice(self.mkt_regions, nb))

    def _region(self, n, mfg=False):
        if mfg:
            return self.rng.choice(self.mfg_regions, n, p=self.mfg_w)
        return self.rng.choice(self.mkt_regions, n, p=self.mkt_w)

    def _brand(self, n):
        return self.rng.choice(len(self.brand_names), n, p=self.brand_w)

    def _infrastructure(self):
        rng, p, N, S0 = self.rng, self.p, self.N, self.S0
        nh = int(min(60, 2 + N // p["sellers_per_hub"]))
        old = lambda n: S0 - rng.integers(200, 4000, n)
        self.hubs = self.add(WAREHOUSE, nh, old(nh), region=self._region(nh), group=G_HUB)
        self.hub_w = zipf_weights(nh, p["hub_zipf"])
        npr, nfee = p["n_processors"], p["n_fee_accounts"]
        self.procs = self.add(ACCOUNT, npr, old(npr), region=self._region(npr), group=G_HUB)
        self.proc_w = zipf_weights(npr, 1.0)
        self.fees = self.add(ACCOUNT, nfee, old(nfee), region=self._region(nfee), group=G_HUB)
        self.fee_w = zipf_weights(nfee, 2.0)
        nf = int(max(3, N // p["sellers_per_factory"]))
        self.lfact = self.add(WAREHOUSE, nf, old(nf), region=self._region(nf, mfg=True))
        self.lfact_w = zipf_weights(nf, 0.8)
        nd = int(max(3, N // p["sellers_per_wholesaler"]))
        self.ldist = self.add(WAREHOUSE, nd, old(nd),
                              region=np.where(rng.random(nd) < 0.3, self._region(nd, True),
                                              self._region(nd)))
        self.ldist_w = zipf_weights(nd, 0.8)
        # wholesalers' own receiving accounts (not every wholesaler is paid on the platform)
        self.ldist_acc = np.full(nd, -1, np.int64)
        has = rng.random(nd) < 0.7
        self.ldist_acc[has] = self.add(ACCOUNT, int(has.sum()), old(int(has.sum())),
                                       region=self._region(int(has.sum())))
        # legitimate supply: factories -> wholesalers, factories/wholesalers -> 3PL hubs
        k = rng.integers(1, 5, nd)
        d = np.repeat(self.ldist, k)
        f = rng.choice(self.lfact, d.size, p=self.lfact_w)
        self.ship(WAREHOUSE, f, WAREHOUSE, d, rate=p["bulk_rate"], med=rng.uniform(300, 3000), sigma=1.0)
        k = rng.integers(1, 4, nh)
        h = np.repeat(self.hubs, k)
        src = np.where(rng.random(h.size) < 0.5,
                       rng.choice(self.lfact, h.size, p=self.lfact_w),
                       rng.choice(self.ldist, h.size, p=self.ldist_w))
        self.ship(WAREHOUSE, src, WAREHOUSE, h, rate=p["bulk_rate"] * 2, med=rng.uniform(500, 5000))
        # hub-to-hub transfers
        if nh > 1:
            a = rng.choice(self.hubs, nh, p=self.hub_w)
            b = rng.choice(self.hubs, nh)
            self.ship(WAREHOUSE, a, WAREHOUSE, b, rate=0.3, min1=False, med=1000.0)

    def _seller_block(self, n, created, end, region, group=G_NONE, ring=-1, role=LEGIT, keep=0,
                      fresh=0, owner=-1):
        """n sellers, each with its own payout account."""
        s = self.add(SELLER, n, created, end=end, region=region, group=group, ring=ring, role=role,
                     keep=keep, fresh=fresh, brand=self._brand(n), owner=owner)
        acc = self.add(ACCOUNT, n, created, end=end, region=region, group=group, ring=ring, role=role,
                       keep=keep, fresh=fresh)
        self.R[SELLER].a["payout"][s] = acc
        self.R[ACCOUNT].a["owner"][acc] = s
        return s, acc

    def _seller_trade(self, s, acc, scale, fee_choice=None, disb_min1=True):
        """Platform payouts and fees every seller has."""
        rng, p = self.rng, self.p
        self.pay(SELLER, s, ACCOUNT, acc, rate=p["pay_rate"], min1=disb_min1, med=scale)
        fee = rng.choice(self.fees, s.size, p=self.fee_w) if fee_choice is None else fee_choice
        self.pay(SELLER, s, ACCOUNT, fee, rate=p["fee_rate"], min1=disb_min1, med=scale * 0.12,
                 sigma=0.5)
        m = rng.random(s.size) < p["processor_use"]
        self.pay(SELLER, s[m], ACCOUNT, rng.choice(self.procs, int(m.sum()), p=self.proc_w),
                 rate=p["fee_rate"] * 0.6, min1=False, med=scale[m] * 0.05, sigma=0.5)

    def _legit_sellers(self):
        rng, p, D, S0 = self.rng, self.p, self.D, self.S0
        n = self.n_ordinary
        young = rng.random(n) < p["young_share"]
        created = np.where(young, rng.integers(S0, D - FRESH_WINDOW + 1, n),
                           S0 - rng.integers(1, 3000, n))
        end = np.full(n, D, np.int64)
        close = (rng.random(n) < p["legit_close"]) & (D - FRESH_WINDOW - np.maximum(created, S0) > 90)
        lo = np.maximum(created, S0) + 60
        end[close] = lo[close] + (rng.random(int(close.sum())) *
                                  (D - FRESH_WINDOW - lo[close])).astype(np.int64)
        s, acc = self._seller_block(n, created, end, self._region(n))
        self.ordinary = s
        scale = np.exp(rng.normal(np.log(rng.uniform(40, 400)), 1.0, n))
        self._trade_legit(s, acc, scale)

    def _trade_legit(self, s, acc, scale, own_wh=True):
        rng, p = self.rng, self.p
        n = s.size
        self._seller_trade(s, acc, scale)
        # stock at 3PL hubs
        use_hub = rng.random(n) < p["legit_hub_use"]
        h1 = rng.choice(self.hubs, n, p=self.hub_w)
        self.stock(s[use_hub], h1[use_hub], med=scale[use_hub] * 0.5)
        two = use_hub & (rng.random(n) < 0.2)
        self.stock(s[two], rng.choice(self.hubs, int(two.sum()), p=self.hub_w), med=scale[two] * 0.3)
        # supplied by a wholesaler; some keep stock there
        sup_i = rng.choice(self.ldist.size, n, p=self.ldist_w)
        sup = self.ldist[sup_i]
        supplied = rng.random(n) < p["legit_supplied"]
        self.ship(WAREHOUSE, sup[supplied], SELLER, s[supplied], med=scale[supplied] * 0.4)
        ws = supplied & (rng.random(n) < p["legit_ws_stock"] / max(p["legit_supplied"], 0.05))
        self.stock(s[ws], sup[ws], med=scale[ws] * 0.3)
        payacc = self.ldist_acc[sup_i]
        pm = supplied & (payacc >= 0) & (rng.random(n) < 0.6)
        self.pay(ACCOUNT, acc[pm], ACCOUNT, payacc[pm], rate=0.4, min1=False, med=scale[pm] * 2.0)
        # own warehouse
        nothing = ~use_hub & ~ws
        if own_wh:
            own = nothing | (rng.random(n) < p["legit_own_wh"])
            k = int(own.sum())
            if k:
                so = s[own]
                cr = self.R[SELLER].a["created"][so] - rng.integers(0, 200, k)
                wh = self.add(WAREHOUSE, k, cr, region=self.R[SELLER].a["region"][so])
                self.stock(so, wh, med=scale[own])
                f = rng.choice(self.lfact, k, p=self.lfact_w)
                self.ship(WAREHOUSE, f, WAREHOUSE, wh, rate=self.p["bulk_rate"] * 0.5,
                          med=scale[own] * 3)
                self.ship(WAREHOUSE, wh, SELLER, so, rate=self.p["ship_rate"], min1=False,
                          med=scale[own] * 0.5)
        else:
            self.stock(s[nothing], h1[nothing], med=scale[nothing] * 0.5)
        # a few returns from sellers to the warehouse
        rt = use_hub & (rng.random(n) < 0.03)
        self.ship(SELLER, s[rt], WAREHOUSE, h1[rt], rate=0.1, min1=True, med=5.0)

    def _lookalikes(self):
        rng, p, D, S0 = self.rng, self.p, self.D, self.S0
        self.ms_stores, self.fr_outlets = [], []
        ms_all = []
        # one company, several storefronts
        for size in self.ms_sizes:
            c0 = int(S0 - rng.integers(0, 2000)) if rng.random() < 0.7 else int(
                rng.integers(S0, D - 120))
            cr = np.sort(np.concatenate([[c0], rng.integers(c0, D - FRESH_WINDOW + 1, size - 1)]))
            reg = np.where(rng.random(size) < 0.7, self._region(1)[0], self._region(size))
            s, acc = self._seller_block(size, cr, D, reg, group=G_MULTI)
            brands = self._brand(int(rng.integers(1, 4)))
            self.R[SELLER].a["brand"][s] = rng.choice(brands, size)
            treas = self.add(ACCOUNT, 1, c0 - int(rng.integers(0, 400)), region=reg[0], group=G_MULTI)
            scale = np.exp(rng.normal(np.log(rng.uniform(60, 600)), 0.7, size))
            self._seller_trade(s, acc, scale, fee_choice=np.full(size, self.fees[0]))
            self.pay(ACCOUNT, acc, ACCOUNT, np.repeat(treas, size), rate=p["pay_rate"] * 0.8,
                     med=scale * 0.9)
            nwh = 0 if rng.random() < 0.2 else 1 + int(rng.random() < 0.3)
            if nwh:
                wh = self.add(WAREHOUSE, nwh, c0 - rng.integers(0, 300, nwh), region=reg[0],
                              group=G_MULTI)
                home = rng.choice(wh, size)
                self.stock(s, home, med=scale)
                f = rng.choice(self.lfact, int(rng.integers(1, 3)), p=self.lfact_w)
                self.ship(WAREHOUSE, np.repeat(f, nwh), WAREHOUSE, np.tile(wh, f.size),
                          rate=p["bulk_rate"], med=scale.sum() * 2)
                self.ship(WAREHOUSE, home, SELLER, s, med=scale * 0.5)
            hub = rng.random(size) < 0.3 if nwh else np.ones(size, bool)
            self.stock(s[hub], np.repeat(rng.choice(self.hubs, p=self.hub_w), int(hub.sum())),
                       med=scale[hub] * 0.5)
            # dense shared identifiers: the company's address, treasury holder, staff devices
            ii, jj = np.triu_indices(size, 1)
            m = rng.random(ii.size) < p["ms_density"]
            ii, jj = ii[m], jj[m]
            for t, pr in ((ADDRESS, 0.7), (BANK, 0.6), (CONTACT, 0.5), (DEVICE, 0.35), (PHONE, 0.3),
                          (IMAGE, 0.2)):
                mm = rng.random(ii.size) < pr
                self.link(s[ii[mm]], s[jj[mm]], t)
            self.ms_stores.append(s)
            ms_all.append(s)
        # franchises: independent outlets, one franchisor who supplies and collects
        for size in self.fr_sizes:
            c0 = int(S0 - rng.integers(200, 3000))
            nwh = int(rng.integers(1, 4))
            wh = self.add(WAREHOUSE, nwh, c0 - rng.integers(0, 300, nwh), region=self._region(nwh),
                          group=G_FRAN)
            feeacc = self.add(ACCOUNT, 1, c0, region=self._region(1), group=G_FRAN)
            cr = np.where(rng.random(size) < 0.6, S0 - rng.integers(0, 2000, size),
                          rng.integers(S0, D - FRESH_WINDOW + 1, size))
            cr = np.maximum(cr, c0)
            s, acc = self._seller_block(size, cr, D, self._region(size), group=G_FRAN)
            self.R[SELLER].a["brand"][s] = self._brand(1)[0]
            scale = np.exp(rng.normal(np.log(rng.uniform(40, 300)), 0.6, size))
            self._seller_trade(s, acc, scale)
            self.pay(ACCOUNT, acc, ACCOUNT, np.repeat(feeacc, size), rate=p["pay_rate"] * 0.5,
                     med=scale * 0.15)
            home = rng.choice(wh, size)
            self.stock(s, home, med=scale)
            f = rng.choice(self.lfact, int(rng.integers(1, 4)), p=self.lfact_w)
            self.ship(WAREHOUSE, np.repeat(f, nwh), WAREHOUSE, np.tile(wh, f.size),
                      rate=p["bulk_rate"], med=scale.sum() * 2)
            self.ship(WAREHOUSE, home, SELLER, s, med=scale * 0.6)
            hub = rng.random(size) < 0.2
            self.stock(s[hub], rng.choice(self.hubs, int(hub.sum()), p=self.hub_w), med=scale[hub])
            # shared branding: product images and the franchisor's helpdesk contact
            for t, rate in ((IMAGE, rng.uniform(0.5, 2.0)), (CONTACT, rng.uniform(0.2, 1.5)),
                            (ADDRESS, rng.uniform(0.0, 0.3)), (DEVICE, rng.uniform(0.0, 0.4)),
                            (BANK, rng.uniform(0.0, 0.1))):
                k = int(rng.poisson(rate * size))
                if k:
                    self.link(rng.choice(s, k), rng.choice(s, k), t)
            self.fr_outlets.append(s)
        allm = ms_all + self.fr_outlets
        self.lookalike_sellers = np.concatenate(allm) if allm else np.zeros(0, np.int64)

    def _groups_tree(self, pool, share, size_lo, size_hi, types, extra):
        """Random groups of sellers sharing an identifier: a random tree plus a few extra pairs."""
        rng = self.rng
        total = int(share * pool.size)
        if total < size_lo:
            return
        sizes = rng.integers(size_lo, size_hi + 1, total // size_lo + 1)
        sizes = sizes[np.cumsum(sizes) <= total]
        if sizes.size == 0:
            return
        members = rng.permutation(pool)[:int(sizes.sum())]
        starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
        pos = np.arange(members.size) - starts
        child = pos > 0
        parent = starts[child] + (rng.random(int(child.sum())) * pos[child]).astype(np.int64)
        a, b = members[child], members[parent]
        ne = rng.poisson(extra * sizes)
        g2 = np.repeat(np.arange(sizes.size), ne)
        st = (np.cumsum(sizes) - sizes)[g2]
        a2 = members[st + (rng.random(g2.size) * sizes[g2]).astype(np.int64)]
        b2 = members[st + (rng.random(g2.size) * sizes[g2]).astype(np.int64)]
        a = np.concatenate([a, a2])
        b = np.concatenate([b, b2])
        t = rng.choice(np.asarray(types[0]), a.size, p=np.asarray(types[1]))
        self.link(a, b, t, counts=1 + rng.poisson(0.3, a.size))

    def _legit_links(self):
        rng, p = self.rng, self.p
        pool = self.ordinary
        # families and partners running two or three shops
        self._groups_tree(pool, p["family_share"], 2, 3,
                          ((DEVICE, PHONE, BANK, ADDRESS), (0.3, 0.25, 0.25, 0.2)), 0.2)
        # shared office addresses
        self._groups_tree(pool, p["office_share"], 3, 15, ((ADDRESS, PHONE), (0.85, 0.15)), 0.3)
        # agencies managing listings for many sellers
        self._groups_tree(pool, p["agency_share"], 5, 60, ((CONTACT, IMAGE, DEVICE), (0.55, 0.35, 0.1)),
                          0.2)
        # copied listings / shared images between unrelated sellers
        allp = np.concatenate([pool, self.lookalike_sellers])
        k = int(rng.poisson(p["copy_rate"] * allp.size))
        self.link(rng.choice(allp, k), rng.choice(allp, k),
                  rng.choice([IMAGE, CONTACT], k, p=[0.75, 0.25]))

    # -- rings ---------------------------------------------------------------
    def _ring(self, r):
        rng, p, D, S0 = self.rng, self.p, self.D, self.S0
        k, n_fresh, n_newev = self.plan[r]
        n_base = k - n_fresh - n_newev
        t_start = int(rng.integers(S0 - 365, D - 120))
        s_lo = max(t_start, S0)
        nb = 1 + int(rng.binomial(3, p["ring_brands_extra"]))
        brands = rng.choice(len(self.brand_names), nb, replace=False, p=self.brand_w)
        bw = zipf_weights(nb, 1.0)
        home_mfg = self._region(1, mfg=True)[0]
        ship_missing = rng.random() < p["ship_missing"]
        pay_missing = rng.random() < p["pay_missing"]
        drop = p["row_drop"] * rng.random()
        scale_r = rng.uniform(30, 300)

        # supply side
        nF = 1 + int(rng.binomial(min(p["ring_factories_max"] - 1, k // 25), 0.5)) \
            if p["ring_factories_max"] > 1 else 1
        fact = self.add(WAREHOUSE, nF, S0 - rng.integers(100, 3000, nF),
                        region=np.where(rng.random(nF) < 0.8, home_mfg, self._region(nF, True)),
                        ring=r, role=SOURCE)
        nD = int(np.clip(round(k / (p["stores_per_distributor"] * rng.uniform(0.5, 1.5))), 1, 20))
        dist = self.add(WAREHOUSE, nD, min(t_start, D - 200) - rng.integers(0, 120, nD),
                        region=np.where(rng.random(nD) < 0.5, self._region(nD), self._region(nD, True)),
                        ring=r, role=DISTRIB)
        dist_w = zipf_weights(nD, 0.7)
        nC = int(np.clip(1 + rng.poisson(k / p["stores_per_collector"]), 1, 6))
        coll = self.add(ACCOUNT, nC, t_start - rng.integers(0, 300, nC), region=self._region(nC),
                        ring=r, role=COLLECT)
        coll_w = zipf_weights(nC, 1.0)

        # storefronts, in opening order; ring storefronts skew young
        span = (D - FRESH_WINDOW) - s_lo
        cr = s_lo + np.floor(rng.beta(p["ring_age_skew"], 1.0, n_base) * span).astype(np.int64)
        cr[0] = s_lo
        cr = np.sort(cr)
        end = np.full(n_base, D, np.int64)
        home = rng.choice(nD, n_base, p=dist_w)
        parent = np.full(n_base, -1, np.int64)
        p_rereg = float(np.clip(p["rereg_rate"] * rng.uniform(0.3, 1.7), 0, 0.9))
        for i in range(1, n_base):
            if rng.random() < p_rereg:
                cand = np.flatnonzero((end[:i] == D) & (cr[:i] < cr[i] - 25))
                if cand.size:
                    j = int(cand[int(rng.integers(0, cand.size))])
                    end[j] = max(cr[j] + 10, cr[i] - int(rng.integers(0, 8)))
                    parent[i] = j
                    home[i] = home[j]
        tk = (end == D) & (rng.random(n_base) < p["takedown_only_rate"]) & (cr < D - FRESH_WINDOW - 40)
        end[tk] = cr[tk] + 20 + (rng.random(int(tk.sum())) *
                                 (D - FRESH_WINDOW - cr[tk] - 20)).astype(np.int64)
        # storefronts opened in the last days: fresh ones (no report yet) and some already
        # reported; each re-uses a device, phone or bank holder of one or two older storefronts,
        # which was sometimes taken down just before
        new_plan = []
        for q_ in range(n_fresh + n_newev):
            c = D - int(rng.integers(0, FRESH_WINDOW))
            nt = 2 if (rng.random() < p["fresh_two_ties"] and n_base >= 2) else 1
            ties = rng.choice(n_base, nt, replace=False)
            j = int(ties[0])
            if rng.random() < p["fresh_after_takedown"] and end[j] == D:
                end[j] = max(int(cr[j]) + 10, c - int(rng.integers(0, 6)))
            new_plan.append((q_ < n_fresh, c, ties))
        ring_regions = self._region(int(rng.integers(1, 4)))
        s, acc = self._seller_block(n_base, cr, end, rng.choice(ring_regions, n_base), ring=r,
                                    role=STORE)
        self.R[SELLER].a["brand"][s] = brands[rng.choice(nb, n_base, p=bw)]
        scale = np.exp(rng.normal(np.log(scale_r), 0.8, n_base))

        # identifiers inside the ring: re-registration ties plus a sparse, uneven web
        la, lb, lt = [], [], []
        ch = np.flatnonzero(parent >= 0)
        t_re = np.where(rng.random(ch.size) < p["rereg_link_bank"], BANK, DEVICE)
        la.append(s[ch]); lb.append(s[parent[ch]]); lt.append(t_re)
        also = rng.random(ch.size) < 0.35
        la.append(s[ch[also]]); lb.append(s[parent[ch[also]]])
        lt.append(rng.choice([PHONE, ADDRESS, CONTACT], int(also.sum())))
        lam = p["ring_link_mean"] * rng.gamma(2.0, 0.5)
        tw = rng.dirichlet(np.asarray(p["ring_link_types"]) * 20 + 0.3)
        m = rng.poisson(lam, n_base) if n_base > 1 else np.zeros(n_base, np.int64)
        hot = rng.pareto(1.2, n_base) + 1.0
        hot = hot / hot.sum()
        src = np.repeat(np.arange(n_base), m)
        dst = rng.choice(n_base, src.size, p=hot)
        la.append(s[src]); lb.append(s[dst]); lt.append(rng.choice(6, src.size, p=tw))
        la = np.concatenate(la); lb = np.concatenate(lb); lt = np.concatenate(lt).astype(np.int8)
        ok = la != lb
        la, lb, lt = la[ok], lb[ok], lt[ok]
        k_all = n_base + len(new_plan)
        n_new_ties = sum(len(x[2]) for x in new_plan)
        if k_all >= 3 and la.size:
            lo_, hi_ = np.minimum(la, lb), np.maximum(la, lb)
            key = lo_ * (self.R[SELLER].n + 1) + hi_
            uk = np.unique(key)
            if uk.size + n_new_ties >= k_all * (k_all - 1) // 2:   # never a full mesh: drop a pair
                kill = uk[int(rng.integers(0, uk.size))]
                keep = key != kill
                la, lb, lt = la[keep], lb[keep], lt[keep]
        self.link(la, lb, lt, counts=1 + rng.poisson(0.4, la.size))
        # weak identifiers shared with honest sellers (copied listings, reused contacts)
        kx = int(rng.poisson(p["cross_link_rate"] * rng.uniform(0.2, 1.8) * n_base))
        if kx:
            legit_pool = self.ordinary if rng.random() < 0.8 or self.lookalike_sellers.size == 0 \
                else self.lookalike_sellers
            self.link(rng.choice(s, kx), rng.choice(legit_pool, kx),
                      rng.choice([IMAGE, CONTACT, ADDRESS], kx, p=[0.6, 0.25, 0.15]))

        # stock: the ring's distribution points and 3PL hubs
        p_dist = float(np.clip(p["ring_dist_stock"] + rng.normal(0, 0.15), 0.1, 1.0))
        p_hub = float(np.clip(p["ring_hub_stock"] + rng.normal(0, 0.15), 0.0, 1.0))
        at_dist = rng.random(n_base) < p_dist
        at_hub = rng.random(n_base) < p_hub
        none = ~at_dist & ~at_hub
        flip = rng.random(n_base) < 0.5
        at_dist |= none & flip
        at_hub |= none & ~flip
        self.stock(s[at_dist], dist[home[at_dist]], med=scale[at_dist], drop=drop)
        hub_of = rng.choice(self.hubs, n_base, p=self.hub_w)
        self.stock(s[at_hub], hub_of[at_hub], med=scale[at_hub] * 0.7, drop=drop)

        # goods: factories -> distributors -> storefronts (and hubs)
        if not ship_missing:
            fd = rng.choice(nF, nD)
            self.ship(WAREHOUSE, fact[fd], WAREHOUSE, dist, rate=p["bulk_rate"],
                      med=rng.uniform(500, 5000), sigma=0.9, drop=drop)
            extra = rng.random(nD) < 0.3
            self.ship(WAREHOUSE, fact[rng.choice(nF, int(extra.sum()))], WAREHOUSE, dist[extra],
                      rate=p["bulk_rate"] * 0.5, med=rng.uniform(500, 5000), drop=drop)
            sd = at_dist & (rng.random(n_base) < 0.9)
            self.ship(WAREHOUSE, dist[home[sd]], SELLER, s[sd], med=scale[sd] * 0.5, drop=drop)
            hubs_used = np.unique(hub_of[at_hub])
            if hubs_used.size:
                self.ship(WAREHOUSE, dist[rng.choice(nD, hubs_used.size)], WAREHOUSE, hubs_used,
                          rate=p["bulk_rate"] * 0.7, med=rng.uniform(200, 2000), drop=drop)
            dr = rng.random(n_base) < p["ring_direct_ship"]
            self.ship(WAREHOUSE, fact[rng.choice(nF, int(dr.sum()))], SELLER, s[dr],
                      med=scale[dr] * 0.3, drop=drop)
            if rng.random() < p["dual_factory"]:     # the factory also makes genuine generic goods
                nl = int(rng.integers(1, 6))
                tgt = np.where(rng.random(nl) < 0.7, rng.choice(self.ldist, nl, p=self.ldist_w),
                               rng.choice(self.hubs, nl, p=self.hub_w))
                self.ship(WAREHOUSE, fact[rng.choice(nF, nl)], WAREHOUSE, tgt,
                          rate=p["bulk_rate"] * rng.uniform(0.3, 2.0), med=rng.uniform(300, 3000),
                          drop=drop)
        if rng.random() < p["dist_serves_legit"]:   # the wholesaler also supplies honest shops
            nl = 1 + int(rng.poisson(rng.uniform(1, 15)))
            ls = rng.choice(self.ordinary, nl)
            dd = dist[rng.choice(nD, nl)]
            self.stock(ls, dd, med=30.0)
            if not ship_missing:
                self.ship(WAREHOUSE, dd, SELLER, ls, med=30.0, drop=drop)

        # money: platform payouts, then sweeps towards the organisers' collecting accounts
        self._seller_trade(s, acc, scale)
        if not pay_missing:
            sw = rng.random(n_base) < float(np.clip(p["sweep_rate"] + rng.normal(0, 0.1), 0.2, 1.0))
            tgt = coll[rng.choice(nC, n_base, p=coll_w)]
            mule = sw & (rng.random(n_base) < p["mule_rate"] * rng.random())
            others = [q for q in range(r) if not self.ring_info[q]["pay_missing"]]
            if others and mule.any():
                q = others[int(rng.integers(0, len(others)))]
                tgt[mule] = rng.choice(self.ring_info[q]["coll"], int(mule.sum()))
            chain = sw & (rng.random(n_base) < p["sweep_chain"]) & ~mule
            if n_base > 2 and chain.any():     # layering through another storefront's account
                via = acc[rng.choice(n_base, int(chain.sum()))]
                self.pay(ACCOUNT, acc[chain], ACCOUNT, via, rate=p["pay_rate"] * 0.5,
                         med=scale[chain] * 0.8, drop=drop)
                self.pay(ACCOUNT, via, ACCOUNT, tgt[chain], rate=p["pay_rate"] * 0.3,
                         med=scale[chain], drop=drop)
                sw = sw & ~chain
            self.pay(ACCOUNT, acc[sw], ACCOUNT, tgt[sw], rate=p["pay_rate"] * 0.7,
                     med=scale[sw] * 0.8, drop=drop)
            if nC > 1:
                self.pay(ACCOUNT, coll[1:], ACCOUNT, np.repeat(coll[0], nC - 1), rate=0.5,
                         med=scale.sum() * 0.3, drop=drop)
            if rng.random() < p["collector_legit"]:    # a mule that also takes honest money
                nl = int(rng.integers(1, 6))
                lp = self.R[SELLER].a["payout"][rng.choice(self.ordinary, nl)]
                self.pay(ACCOUNT, lp, ACCOUNT, rng.choice(coll, nl), rate=0.3, min1=True, med=80.0)

        # evidence: takedowns of closed storefronts, sparse reports, seizures
        ended = np.flatnonzero(end < D)
        rb = brands[rng.choice(nb, ended.size, p=bw)]
        self.evidence(SELLER, s[ended], TAKEDOWN, rb,
                      np.where(rng.random(ended.size) < 0.6, R_BRAND, R_PLATFORM), dates=end[ended])
        m_ = p["report_rate"]
        c_ = p["report_conc"]
        v = rng.beta(max(m_ * c_, 0.05), max((1 - m_) * c_, 0.05))
        rep = rng.random(n_base) < v
        if not rep.any() and ended.size == 0:
            rep[int(rng.integers(0, n_base))] = True
        ri = np.repeat(np.flatnonzero(rep), 1 + rng.poisson(0.6, int(rep.sum())))
        g = p["genuine_share"] * rng.random()
        sw_ = np.array([0.35, 0.3, g, 0.3 * (1 - g)])
        sig = rng.choice([TAKEDOWN, TB_FAKE, TB_GENUINE, COMPLAINT], ri.size, p=sw_ / sw_.sum())
        br = brands[rng.choice(nb, ri.size, p=bw)]
        off = rng.random(ri.size) < p["off_brand"]
        br[off] = self._brand(int(off.sum()))
        br[(sig == COMPLAINT) & (rng.random(ri.size) < 0.5)] = -1
        rp = rng.choice([R_BRAND, R_PLATFORM, R_CONSUMER, R_AGENT, R_EMPTY], ri.size,
                        p=[0.4, 0.2, 0.2, 0.15, 0.05])
        rp[(sig == COMPLAINT) & (rp == R_BRAND)] = R_CONSUMER
        self.evidence(SELLER, s[ri], sig, br, rp)
        if rng.random() < p["seizure"] * 2 * rng.random():
            if rng.random() < 0.85:
                w = dist[rng.choice(nD, 1 + int(rng.random() < 0.2))]
            else:
                w = fact[:1]
            self.evidence(WAREHOUSE, w, ENFORCED, brands[0],
                          np.where(rng.random(w.size) < 0.7, R_CUSTOMS, R_POLICE))
        if rng.random() < p["collector_freeze"]:
            self.evidence(ACCOUNT, coll[:1], ENFORCED, brands[0], R_POLICE)

        new_s = self._ring_new(r, s, home, dist, coll, coll_w, brands, bw, scale_r, new_plan,
                               pay_missing)
        self.ring_info.append({"coll": coll, "pay_missing": pay_missing, "ship_missing": ship_missing,
                               "stores": np.concatenate([s, new_s]), "dist": dist,
                               "fact": fact, "k": k, "fresh": n_fresh})

    def _ring_new(self, r, s, home, dist, coll, coll_w, brands, bw, scale_r, new_plan, pay_missing):
        rng, D = self.rng, self.D
        out = [np.zeros(0, np.int64)]
        for fresh, c, ties in new_plan:
            j = int(ties[0])
            reg = self.R[SELLER].a["region"][s[j]]
            f, fa = self._seller_block(1, c, D, reg, ring=r, role=STORE, keep=1, fresh=int(fresh))
            self.R[SELLER].a["brand"][f] = brands[rng.choice(brands.size, p=bw)]
            self.R[SELLER].a["keep"][s[ties]] = 1
            for tj in ties:
                self.link(f, s[tj:tj + 1], STRONG_TIES[int(rng.integers(0, 3))],
                          counts=1 + int(rng.random() < 0.3))
            dh = dist[home[j]]
            self.stock(f, [dh], counts=[1 + int(rng.poisson(0.5))], med=scale_r * 0.5)
            if rng.random() < 0.5:
                self.ship(WAREHOUSE, [dh], SELLER, f, counts=[1], med=scale_r * 0.5)
            sc = np.array([scale_r])
            paid = rng.random() < 0.7
            if paid:
                self.pay(SELLER, f, ACCOUNT, fa, counts=[1 + int(rng.poisson(0.5))], med=sc)
            if rng.random() < 0.5:
                self.pay(SELLER, f, ACCOUNT, self.fees[:1], counts=[1], med=sc * 0.12)
            if paid and not pay_missing and rng.random() < 0.3:
                self.pay(ACCOUNT, fa, ACCOUNT, coll[rng.choice(coll.size, 1, p=coll_w)], counts=[1],
                         med=sc * 0.8)
            if not fresh:
                sig = [TAKEDOWN, TB_FAKE, COMPLAINT][int(rng.integers(0, 3))]
                self.evidence(SELLER, f, sig, brands[0], R_BRAND if sig != COMPLAINT else R_CONSUMER,
                              dates=[c + int(rng.integers(0, D - c + 1))])
            out.append(f)
        return np.concatenate(out)

    def _between_rings(self):
        rng, p = self.rng, self.p
        info = [x for x in self.ring_info if not x["pay_missing"]]
        if len(info) < 2:
            return
        k = int(rng.poisson(p["inter_ring_pay"] * len(info)))
        for _ in range(k):
            a, b = rng.choice(len(info), 2, replace=False)
            self.pay(ACCOUNT, info[a]["coll"][:1], ACCOUNT, info[b]["coll"][:1],
                     counts=[1 + int(rng.poisson(1.0))], med=rng.uniform(50, 2000))

    # -- new legitimate sellers ----------------------------------------------
    def _fresh_controls(self):
        rng, p, D = self.rng, self.p, self.D
        Rs = self.R[SELLER]
        cand = self.ordinary[(Rs.a["end"][self.ordinary] == D) &
                             (Rs.a["created"][self.ordinary] < D - 30)]
        ms = [x for x in self.ms_stores]
        made = {"control": 0, "new_unlinked": 0, "new_with_ev": 0, "new_many_ties": 0}

        def new_seller(group, region, anchors, fresh, n_ties_types):
            c = D - int(rng.integers(0, FRESH_WINDOW))
            f, fa = self._seller_block(1, c, D, region, group=group, keep=1, fresh=int(fresh))
            Rs.a["keep"][anchors] = 1
            for a in anchors:
                self.link(f, [a], n_ties_types(), counts=1 + int(rng.random() < 0.3))
            sc = np.array([np.exp(rng.normal(np.log(100.0), 0.8))])
            r_ = rng.random()
            if rng.random() < 0.7 or r_ >= 0.85:     # every new seller leaves some trace
                self.pay(SELLER, f, ACCOUNT, fa, counts=[1 + int(rng.poisson(0.5))], med=sc)
            if rng.random() < 0.6:
                self.pay(SELLER, f, ACCOUNT, self.fees[:1], counts=[1], med=sc * 0.12)
            if r_ < 0.6:
                self.stock(f, self.hubs[rng.choice(self.hubs.size, 1, p=self.hub_w)], counts=[1],
                           med=sc * 0.5)
            elif r_ < 0.85:
                self.stock(f, self.ldist[rng.choice(self.ldist.size, 1, p=self.ldist_w)], counts=[1],
                           med=sc * 0.5)
            if rng.random() < 0.3:
                self.ship(WAREHOUSE, self.ldist[rng.choice(self.ldist.size, 1, p=self.ldist_w)],
                          SELLER, f, counts=[1], med=sc * 0.4)
            return f

        strong = lambda: STRONG_TIES[int(rng.integers(0, 3))]
        for _ in range(self.n_controls):
            if ms and rng.random() < p["control_multi"]:
                comp = ms[int(rng.integers(0, len(ms)))]
                old = comp[Rs.a["created"][comp] < D - 30]
                if old.size:
                    nt = min(old.size, 1 + int(rng.random() < p["fresh_two_ties"]))
                    anchors = rng.choice(old, nt, replace=False)
                    new_seller(G_MULTI, Rs.a["region"][anchors[0]], anchors, True, strong)
                    made["control"] += 1
                    continue
            nt = 1 + int(rng.random() < p["fresh_two_ties"])
            anchors = rng.choice(cand, nt, replace=False)
            reg = Rs.a["region"][anchors[0]] if rng.random() < 0.7 else self._region(1)[0]
            new_seller(G_NONE, reg, anchors, True, strong)
            made["control"] += 1
        for _ in range(self.n_new_unlinked):     # new sellers with no strong tie
            anchors = rng.choice(cand, 1) if rng.random() < 0.3 else np.zeros(0, np.int64)
            new_seller(G_NONE, self._region(1)[0], anchors, False,
                       lambda: [IMAGE, CONTACT][int(rng.integers(0, 2))])
            made["new_unlinked"] += 1
        for _ in range(self.n_new_ev):           # a second store that already got a complaint
            anchors = rng.choice(cand, 1)
            f = new_seller(G_NONE, self._region(1)[0], anchors, False, strong)
            c = int(Rs.a["created"][f[0]])
            b = int(Rs.a["brand"][f[0]]) if rng.random() < 0.5 else -1
            self.evidence(SELLER, f, COMPLAINT, b, R_CONSUMER,
                          dates=[c + int(rng.integers(0, D - c + 1))])
            made["new_with_ev"] += 1
        for _ in range(self.n_new_many):         # tied to three older sellers
            anchors = rng.choice(cand, 3, replace=False)
            new_seller(G_NONE, self._region(1)[0], anchors, False, strong)
            made["new_many_ties"] += 1
        self.stats["new_legit"] = made

    def _legit_evidence(self):
        rng, p = self.rng, self.p
        Rs = self.R[SELLER]
        pool = np.concatenate([self.ordinary, self.lookalike_sellers])
        mult = np.ones(pool.size)
        mult[self.ordinary.size:] = p["lookalike_ev_mult"]
        n = pool.size
        br = Rs.a["brand"][pool]
        # complaints
        m = rng.random(n) < p["legit_complaint"] * mult
        k = rng.poisson(0.4, int(m.sum())) + 1
        x = np.repeat(pool[m], k)
        b = np.repeat(br[m], k)
        b[rng.random(x.size) < 0.5] = -1
        self.evidence(SELLER, x, COMPLAINT, b,
                      rng.choice([R_CONSUMER, R_PLATFORM, R_EMPTY], x.size, p=[0.6, 0.3, 0.1]))
        # mistaken takedowns
        m = rng.random(n) < p["legit_wrong_takedown"] * mult
        self.evidence(SELLER, pool[m], TAKEDOWN, br[m],
                      np.where(rng.random(int(m.sum())) < 0.6, R_BRAND, R_PLATFORM))
        # test-buys that came back genuine, and a rare false positive
        m = rng.random(n) < p["legit_genuine_tb"] * mult
        self.evidence(SELLER, pool[m], TB_GENUINE, br[m], np.where(rng.random(int(m.sum())) < 0.7,
                                                                   R_BRAND, R_AGENT))
        m = rng.random(n) < p["legit_false_tb"] * mult
        self.evidence(SELLER, pool[m], TB_FAKE, br[m], R_AGENT)
        # a seizure at an honest wholesaler (a counterfeit consignment passing through)
        m = rng.random(self.ldist.size) < p["legit_seizure"]
        self.evidence(WAREHOUSE, self.ldist[m], ENFORCED, self._brand(int(m.sum())), R_CUSTOMS)

    # -- tables --------------------------------------------------------------
    def _finalize_tables(self):
        cat = lambda parts, n: [np.concatenate([pt[i] for pt in parts]) if parts else
                                np.zeros(0, np.int64) for i in range(n)]
        self.links = cat(self.T["links"], 4)
        self.stockt = cat(self.T["stock"], 4)
        self.payt = cat(self.T["pay"], 6)
        self.shipt = cat(self.T["ship"], 6)
        self.evt = cat(self.T["ev"], 6)
        self.T = None
        # make sure the newest event date is the export date
        dmax = max(int(t[-1].max()) if t[-1].size else 0 for t in
                   (self.links, self.stockt, self.payt, self.shipt))
        dmax = max(dmax, int(self.evt[4].max()) if self.evt[4].size else 0)
        if dmax < self.D:
            s = int(self.ordinary[np.argmax(self.R[SELLER]["end"][self.ordinary])])
            extra = [np.array([SELLER], np.int8), np.array([s]), np.array([ACCOUNT], np.int8),
                     np.array([self.fees[0]]), np.array([1234]), np.array([self.D])]
            self.payt = [np.concatenate([a, b]) for a, b in zip(self.payt, extra)]

    def _edges(self):
        """All recorded edges as (kind_a, a, kind_b, b)."""
        L, St, P, Sh = self.links, self.stockt, self.payt, self.shipt
        ka = [np.zeros(L[0].size, np.int8), np.zeros(St[0].size, np.int8), P[0], Sh[0]]
        a = [L[0], St[0], P[1], Sh[1]]
        kb = [np.zeros(L[0].size, np.int8), np.ones(St[0].size, np.int8), P[2], Sh[2]]
        b = [L[1], St[1], P[3], Sh[3]]
        return (np.concatenate(ka), np.concatenate(a).astype(np.int64), np.concatenate(kb),
                np.concatenate(b).astype(np.int64))

    def _named(self):
        named = [np.zeros(self.R[k].n, bool) for k in range(4)]
        ka, a, kb, b = self._edges()
        for k in range(3):
            named[k][a[ka == k]] = True
            named[k][b[kb == k]] = True
        E = self.evt
        for k in range(3):
            named[k][E[1][E[0] == k]] = True
        named[BRAND][E[3][E[3] >= 0]] = True
        return named

    def _repair_rings(self):
        """Every ring's named members form one connected piece through ring-internal edges."""
        rng = self.rng
        named = self._named()
        off = np.cumsum([0] + [self.R[k].n for k in range(4)])
        ring_all = np.concatenate([self.R[k]["ring"] for k in range(4)])
        ka, a, kb, b = self._edges()
        ga, gb = off[ka] + a, off[kb] + b
        inside = (ring_all[ga] >= 0) & (ring_all[ga] == ring_all[gb])
        ga, gb = ga[inside], gb[inside]
        nodes = np.flatnonzero(ring_all >= 0)
        isnamed = np.concatenate(named)
        nodes = nodes[isnamed[nodes]]
        pos = np.full(ring_all.size, -1, np.int64)
        pos[nodes] = np.arange(nodes.size)
        eu, ev_ = pos[ga], pos[gb]
        lab = np.arange(nodes.size)
        while True:
            mn = np.minimum(lab[eu], lab[ev_])
            new = lab.copy()
            np.minimum.at(new, eu, mn)
            np.minimum.at(new, ev_, mn)
            new = new[new]
            if np.array_equal(new, lab):
                break
            lab = new
        kind_of = np.searchsorted(off, nodes, side="right") - 1
        idx_of = nodes - off[kind_of]
        rn = ring_all[nodes]
        order = np.lexsort((lab, rn))
        added = 0
        Rs = self.R[SELLER]
        fresh_s = Rs["fresh"]
        new_links, new_stock, new_pay, new_ship = [], [], [], []
        bounds = np.flatnonzero(np.diff(rn[order])) + 1
        for grp in np.split(order, bounds):
            comps = {}
            for i in grp:
                comps.setdefault(int(lab[i]), []).append(int(i))
            if len(comps) < 2:
                continue
            keys = list(comps.keys())
            def n_sellers(c):
                return sum(1 for i in comps[c] if kind_of[i] == SELLER)
            main = max(keys, key=lambda c: (n_sellers(c), -c))
            main_sellers = [int(idx_of[i]) for i in comps[main]
                            if kind_of[i] == SELLER and not fresh_s[idx_of[i]]]
            main_dist = [int(idx_of[i]) for i in comps[main] if kind_of[i] == WAREHOUSE]
            for c in keys:
                if c == main:
                    continue
                mem = comps[c]
                sel = [int(idx_of[i]) for i in mem if kind_of[i] == SELLER and not fresh_s[idx_of[i]]]
                whs = [int(idx_of[i]) for i in mem if kind_of[i] == WAREHOUSE]
                accs = [int(idx_of[i]) for i in mem if kind_of[i] == ACCOUNT]
                if sel and main_sellers:
                    x = sel[0]
                    y = main_sellers[int(rng.integers(0, len(main_sellers)))]
                    d = max(int(Rs.a["created"][x]), int(Rs.a["created"][y]), self.S0)
                    d += int(rng.integers(0, max(1, self.D - d + 1)))
                    new_links.append((x, y, int(rng.choice([DEVICE, PHONE, ADDRESS, BANK, CONTACT])),
                                      min(d, self.D)))
                elif whs and main_sellers:
                    w = whs[0]
                    y = main_sellers[int(rng.integers(0, len(main_sellers)))]
                    lo = max(int(Rs.a["created"][y]), int(self.R[WAREHOUSE].a["created"][w]), self.S0)
                    hi = int(Rs.a["end"][y])
                    if self.R[WAREHOUSE].a["role"][w] == SOURCE and main_dist:
                        lo2 = max(self.S0, int(self.R[WAREHOUSE].a["created"][main_dist[0]]))
                        new_ship.append((w, main_dist[0], lo2 + int(rng.integers(0, self.D - lo2 + 1))))
                    else:
                        new_stock.append((y, w, lo + int(rng.integers(0, max(1, hi - lo + 1)))))
                elif accs and main_sellers:
                    acc = accs[0]
                    y = main_sellers[int(rng.integers(0, len(main_sellers)))]
                    pa = int(Rs.a["payout"][y])
                    Ra = self.R[ACCOUNT]
                    lo = max(int(Ra.a["created"][pa]), int(Ra.a["created"][acc]), self.S0)
                    hi = min(int(Ra.a["end"][pa]), int(Ra.a["end"][acc]))
                    if hi < lo:
                        hi = lo = max(int(Ra.a["created"][acc]), self.S0)
                        pa = int(Rs.a["payout"][main_sellers[0]])
                    new_pay.append((pa, acc, lo + int(rng.integers(0, hi - lo + 1))))
                else:
                    continue
                added += 1
        if new_links:
            x = np.array(new_links, np.int64)
            self.links = [np.concatenate([self.links[0], x[:, 0]]),
                          np.concatenate([self.links[1], x[:, 1]]),
                          np.concatenate([self.links[2], x[:, 2].astype(np.int8)]),
                          np.concatenate([self.links[3], x[:, 3]])]
        if new_stock:
            x = np.array(new_stock, np.int64)
            self.stockt = [np.concatenate([self.stockt[0], x[:, 0]]),
                           np.concatenate([self.stockt[1], x[:, 1]]),
                           np.concatenate([self.stockt[2], np.full(len(x), 20, np.int64)]),
                           np.concatenate([self.stockt[3], x[:, 2]])]
        if new_ship:
            x = np.array(new_ship, np.int64)
            n = len(x)
            self.shipt = [np.concatenate([self.shipt[0], np.full(n, WAREHOUSE, np.int8)]),
                          np.concatenate([self.shipt[1], x[:, 0]]),
                          np.concatenate([self.shipt[2], np.full(n, WAREHOUSE, np.int8)]),
                          np.concatenate([self.shipt[3], x[:, 1]]),
                          np.concatenate([self.shipt[4], np.full(n, 800, np.int64)]),
                          np.concatenate([self.shipt[5], x[:, 2]])]
        if new_pay:
            x = np.array(new_pay, np.int64)
            n = len(x)
            self.payt = [np.concatenate([self.payt[0], np.full(n, ACCOUNT, np.int8)]),
                         np.concatenate([self.payt[1], x[:, 0]]),
                         np.concatenate([self.payt[2], np.full(n, ACCOUNT, np.int8)]),
                         np.concatenate([self.payt[3], x[:, 1]]),
                         np.concatenate([self.payt[4], np.full(n, 25000, np.int64)]),
                         np.concatenate([self.payt[5], x[:, 2]])]
        self.stats["ring_repairs"] = added

    # -- output ------------------------------------------------------------------
    def _make_ids(self):
        rng, p = self.rng, self.p
        style = p["id_style"]
        ids = []
        prefixes = {"prefixed": ["S", "W", "A"], "hex": ["s_", "wh_", "acct_"],
                    "tagged": ["SLR-", "WHS-", "PAY-"], "numeric": ["", "", ""]}[style]
        for k in range(3):
            n = self.R[k].n
            perm = rng.permutation(n)
            if style == "numeric":
                v = perm + int(rng.integers(1, 1000))
                out = [str(x) for x in v.tolist()]
            elif style == "prefixed":
                width = len(str(n)) + int(rng.integers(0, 3))
                out = ["%s%0*d" % (prefixes[k], width, x) for x in (perm + 1).tolist()]
            elif style == "hex":
                a = int(rng.integers(1, 2 ** 38)) * 2 + 1
                b = int(rng.integers(0, 2 ** 39))
                v = (perm.astype(object) * a + b) % (2 ** 40)
                out = ["%s%010x" % (prefixes[k], x) for x in v.tolist()]
            else:
                a = int(rng.integers(1, 2 ** 30)) * 2 + 1
                b = int(rng.integers(0, 2 ** 31))
                v = ((perm.astype(np.uint64) * np.uint64(a) + np.uint64(b)) % np.uint64(2 ** 32))
                out = [prefixes[k] + np.base_repr(x, 36).rjust(7, "0") for x in v.tolist()]
            ids.append(np.array(out, dtype=object))
        ids.append(np.array(self.brand_names, dtype=object))
        return ids

    def write(self, out_dir, use_gzip):
        rng, p, D = self.rng, self.p, self.D
        os.makedirs(out_dir, exist_ok=True)
        ids = self._make_ids()
        named = self._named()
        self.stats["named"] = {KIND_NAMES[k]: int(named[k].sum()) for k in range(4)}
        lowest = min(int(self.R[k]["created"][named[k]].min()) if named[k].any() else D
                     for k in range(4))
        lowest = min(lowest, self.S0)
        base = lowest
        dstr = np.array([datetime.date.fromordinal(x).isoformat() for x in range(base, D + 1)],
                        dtype=object)
        kinds = np.array(KIND_NAMES, dtype=object)
        self._base = base
        fmt = {"shuffle": p["fmt_shuffle_columns"], "extra": p["fmt_extra_column"],
               "newline": p["fmt_extra_newline"], "eol": p["fmt_eol"], "bom": p["fmt_bom"],
               "quote_all": p["fmt_quote_all"]}
        frng = np.random.Generator(np.random.PCG64([self.seed, 77]))
        w = _Writer(out_dir, use_gzip, fmt, frng)

        def order_by_date(d):
            perm = rng.permutation(d.size)
            return perm[np.argsort(d[perm], kind="stable")]

        def q(strs):
            return [_quote(x) for x in strs]

        # seller_links
        L = self.links
        o = order_by_date(L[3])
        la, lb, lt, ld = L[0][o], L[1][o], L[2][o], L[3][o]
        lnames = np.array(LINK_NAMES, dtype=object)
        w.table("seller_links", ["seller_a", "seller_b", "link", "observed_on"], la.size,
                lambda s, e: {"seller_a": ids[0][la[s:e]].tolist(), "seller_b": ids[0][lb[s:e]].tolist(),
                              "link": lnames[lt[s:e]].tolist(),
                              "observed_on": dstr[ld[s:e] - base].tolist()})
        # stock
        St = self.stockt
        o = order_by_date(St[3])
        ss, sw, su, sd = St[0][o], St[1][o], St[2][o], St[3][o]
        w.table("stock", ["seller", "warehouse", "units", "observed_on"], ss.size,
                lambda s, e: {"seller": ids[0][ss[s:e]].tolist(), "warehouse": ids[1][sw[s:e]].tolist(),
                              "units": [str(x) for x in su[s:e].tolist()],
                              "observed_on": dstr[sd[s:e] - base].tolist()})
        # payments
        P = self.payt
        o = order_by_date(P[5])
        pk, px, qk, qy, pc, pd = (P[i][o] for i in range(6))

        def pay_chunk(s, e):
            k1, k2 = pk[s:e], qk[s:e]
            x, y = px[s:e], qy[s:e]
            payer = np.where(k1 == 0, ids[0][np.where(k1 == 0, x, 0)], ids[2][np.where(k1 == 2, x, 0)])
            payee = np.where(k2 == 0, ids[0][np.where(k2 == 0, y, 0)], ids[2][np.where(k2 == 2, y, 0)])
            c = pc[s:e].tolist()
            return {"payer_kind": kinds[k1].tolist(), "payer": payer.tolist(),
                    "payee_kind": kinds[k2].tolist(), "payee": payee.tolist(),
                    "amount": ["%d.%02d" % (v // 100, v % 100) for v in c],
                    "paid_on": dstr[pd[s:e] - base].tolist()}
        w.table("payments", ["payer_kind", "payer", "payee_kind", "payee", "amount", "paid_on"],
                pk.size, pay_chunk)
        # shipments
        Sh = self.shipt
        o = order_by_date(Sh[5])
        ok_, ox, dk, dy, su2, sd2 = (Sh[i][o] for i in range(6))
        sh0 = int(rng.integers(10 ** 6, 10 ** 7))
        shp = ["SH", "shp-", "T", ""][int(rng.integers(0, 4))]

        def ship_chunk(s, e):
            k1, k2 = ok_[s:e], dk[s:e]
            x, y = ox[s:e], dy[s:e]
            org = np.where(k1 == 0, ids[0][np.where(k1 == 0, x, 0)], ids[1][np.where(k1 == 1, x, 0)])
            dst = np.where(k2 == 0, ids[0][np.where(k2 == 0, y, 0)], ids[1][np.where(k2 == 1, y, 0)])
            return {"shipment": ["%s%d" % (shp, sh0 + i) for i in range(s, e)],
                    "origin_kind": kinds[k1].tolist(), "origin": org.tolist(),
                    "destination_kind": kinds[k2].tolist(), "destination": dst.tolist(),
                    "units": [str(v) for v in su2[s:e].tolist()],
                    "shipped_on": dstr[sd2[s:e] - base].tolist()}
        w.table("shipments", ["shipment", "origin_kind", "origin", "destination_kind", "destination",
                              "units", "shipped_on"], ok_.size, ship_chunk)
        # evidence
        E = self.evt
        o = order_by_date(E[4])
        ek, ex, es, eb, ed, er = (E[i][o] for i in range(6))
        bq = np.array(q(self.brand_names) + [""], dtype=object)       # index -1 -> ""
        rq = np.array(REPORTERS, dtype=object)
        snames = np.array(SIGNAL_NAMES, dtype=object)

        def ev_chunk(s, e):
            k1, x = ek[s:e], ex[s:e]
            idv = np.where(k1 == 0, ids[0][np.where(k1 == 0, x, 0)],
                           np.where(k1 == 1, ids[1][np.where(k1 == 1, x, 0)],
                                    ids[2][np.where(k1 == 2, x, 0)]))
            b = eb[s:e]
            r = er[s:e]
            brand = bq[b]
            rep = np.where(r == R_BRAND, np.where(b >= 0, brand, rq[R_PLATFORM]), rq[np.maximum(r, 0)])
            return {"kind": kinds[k1].tolist(), "id": idv.tolist(), "signal": snames[es[s:e]].tolist(),
                    "brand": brand.tolist(), "reported_on": dstr[ed[s:e] - base].tolist(),
                    "reporter": rep.tolist()}
        w.table("evidence", ["kind", "id", "signal", "brand", "reported_on", "reporter"], ek.size,
                ev_chunk, prequoted=("brand", "reporter"))
        # entities: the platform's attribute export, incomplete
        rows_k, rows_i = [], []
        for k in range(4):
            idx = np.flatnonzero(named[k])
            keep = self.R[k]["keep"][idx] == 1
            miss = (rng.random(idx.size) < p["entity_missing"]) & ~keep
            idx = idx[~miss]
            rows_k.append(np.full(idx.size, k, np.int8))
            rows_i.append(idx)
        rk = np.concatenate(rows_k)
        ri = np.concatenate(rows_i)
        perm = rng.permutation(rk.size)
        rk, ri = rk[perm], ri[perm]
        created = np.zeros(rk.size, np.int64)
        region = np.zeros(rk.size, np.int64)
        keepv = np.zeros(rk.size, bool)
        for k in range(4):
            m = rk == k
            created[m] = self.R[k]["created"][ri[m]]
            region[m] = self.R[k]["region"][ri[m]]
            keepv[m] = self.R[k]["keep"][ri[m]] == 1
        no_created = ((rng.random(rk.size) < p["created_missing"]) & ~keepv) | (rk == BRAND)
        no_region = (rng.random(rk.size) < p["region_missing"]) | (region < 0)
        rnames = np.array(self.region_names + [""], dtype=object)
        region[no_region] = -1
        cstr = np.concatenate([dstr, np.array([""], dtype=object)])
        cidx = np.where(no_created, cstr.size - 1, created - base)
        brand_ids = np.array(q(self.brand_names), dtype=object)
        ids_q = [ids[0], ids[1], ids[2], brand_ids]

        def ent_chunk(s, e):
            k1, x = rk[s:e], ri[s:e]
            out = np.empty(e - s, dtype=object)
            for k in range(4):
                m = k1 == k
                out[m] = ids_q[k][x[m]]
            return {"kind": kinds[k1].tolist(), "id": out.tolist(),
                    "region": rnames[region[s:e]].tolist(), "created_on": cstr[cidx[s:e]].tolist()}
        w.table("entities", ["kind", "id", "region", "created_on"], rk.size, ent_chunk,
                prequoted=("id",))
        # truth: canonical layout
        ring_perm = rng.permutation(max(1, len(self.plan)))
        ring_lab = ["ring-%04d" % (x + 1) for x in ring_perm.tolist()]
        lines = ["kind,id,ring,role,group,fresh"]
        for k in range(4):
            idx = np.flatnonzero(named[k])
            Rk = self.R[k]
            ring = Rk["ring"][idx]
            role = Rk["role"][idx]
            grp = Rk["group"][idx]
            fr = Rk["fresh"][idx]
            idq = ids_q[k][idx].tolist()
            order = sorted(range(idx.size), key=lambda i: ids[k][idx[i]])
            kn = KIND_NAMES[k]
            for i in order:
                lines.append("%s,%s,%s,%s,%s,%d" % (kn, idq[i], ring_lab[ring[i]] if ring[i] >= 0 else "",
                                                    ROLE_NAMES[role[i]], GROUP_NAMES[grp[i]], fr[i]))
        w.raw("truth", ("\n".join(lines) + "\n").encode("utf-8"))
        self.stats["rows"] = dict(w.counts)
        self.stats["rows"]["truth"] = len(lines) - 1

    def summary(self):
        named_s = self._named()[SELLER]
        Rs = self.R[SELLER]
        rings = []
        for r, info in enumerate(self.ring_info):
            st = info["stores"]
            rings.append(int(named_s[st].sum()))
        fresh_ring = int(((Rs["fresh"] == 1) & (Rs["ring"] >= 0)).sum())
        fresh_ctrl = int(((Rs["fresh"] == 1) & (Rs["ring"] < 0)).sum())
        return {"sellers": self.N, "seed": self.seed, "rings": len(self.plan),
                "ring_sizes": sorted(rings, reverse=True)[:20],
                "ring_storefronts": int(sum(rings)),
                "ring_entities": int(sum(int((self.R[k]["ring"] >= 0).sum()) for k in range(3))),
                "fresh_ring": fresh_ring, "fresh_controls": fresh_ctrl,
                "multi_store_companies": len(self.ms_sizes), "franchises": len(self.fr_sizes),
                "hubs": int(self.hubs.size),
                "export_date": datetime.date.fromordinal(self.D).isoformat(),
                "period_days": self.p["period_days"], "id_style": self.p["id_style"],
                "format": {k[4:]: v for k, v in self.p.items() if k.startswith("fmt_")},
                **self.stats}


def _quote(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


class _Writer:
    """Writes one table atomically (temporary file, then rename)."""
    CHUNK = 400000

    def __init__(self, out_dir, use_gzip, fmt, rng):
        self.out = out_dir
        self.gz = use_gzip
        self.fmt = fmt
        self.rng = rng
        self.counts = {}

    def _open(self, name):
        final = os.path.join(self.out, name + (".csv.gz" if self.gz else ".csv"))
        other = os.path.join(self.out, name + (".csv" if self.gz else ".csv.gz"))
        tmp = os.path.join(self.out, "." + name + ".tmp")
        raw = open(tmp, "wb")
        fh = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) \
            if self.gz else raw
        return final, other, tmp, raw, fh

    def _close(self, final, other, tmp, raw, fh):
        if fh is not raw:
            fh.close()
        raw.close()
        os.replace(tmp, final)
        if os.path.exists(other):
            os.remove(other)

    def raw(self, name, data):
        h = self._open(name)
        h[4].write(data)
        self._close(*h)

    def table(self, name, header, n, chunk_fn, prequoted=()):
        fmt, rng = self.fmt, self.rng
        cols = list(header)
        if fmt["shuffle"]:
            cols = [cols[i] for i in rng.permutation(len(cols))]
        extra = None
        if fmt["extra"]:
            ename = ["note", "source_system", "batch", "currency"][int(rng.integers(0, 4))]
            pool = ["", "export-v3", "manual review", "a, b", 'said "ok"']
            if fmt["newline"]:
                pool.append("line one\nline two")
            extra = (ename, [_quote(x) for x in pool])
            cols.insert(int(rng.integers(0, len(cols) + 1)), ename)
        eol = "\r\n" if fmt["eol"] == "crlf" else "\n"
        h = self._open(name)
        fh = h[4]
        if fmt["bom"]:
            fh.write(b"\xef\xbb\xbf")
        fh.write((",".join(cols) + eol).encode("utf-8"))
        qa = fmt["quote_all"]
        for s in range(0, n, self.CHUNK):
            e = min(n, s + self.CHUNK)
            d = chunk_fn(s, e)
            if extra is not None:
                pool = extra[1]
                d[extra[0]] = [pool[i] for i in rng.integers(0, len(pool), e - s).tolist()]
            if qa:
                for c in header:
                    if c in prequoted:
                        d[c] = [x if (x == "" or x[0] == '"') else '"' + x + '"' for x in d[c]]
                    else:
                        d[c] = ['"' + x + '"' if x else x for x in d[c]]
            lines = list(map(",".join, zip(*[d[c] for c in cols])))
            if fmt["eol"] == "mixed":
                for i in np.flatnonzero(rng.random(len(lines)) < 0.3).tolist():
                    lines[i] += "\r"
            fh.write(("\n".join(lines) if eol == "\n" else eol.join(lines)).encode("utf-8"))
            fh.write(eol.encode())
        self._close(*h)
        self.counts[name] = n


def main(argv=None):
    ap = argparse.ArgumentParser(description="Blind synthetic counterfeit-marketplace generator")
    ap.add_argument("out_dir")
    ap.add_argument("--sellers", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--gzip", action="store_true", help="write NAME.csv.gz instead of NAME.csv")
    a = ap.parse_args(argv)
    if a.sellers < 60:
        ap.error("--sellers must be at least 60")
    if a.seed < 0:
        ap.error("--seed must be non-negative")
    m = Market(a.sellers, a.seed)
    m.build()
    m.write(a.out_dir, a.gzip)
    print(json.dumps(m.summary(), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
