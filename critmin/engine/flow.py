"""Compiled kernels (numba) of the market clearing, whose method :mod:`critmin.engine.market` describes.

:func:`clear_batch` clears a batch of markets given as flat arrays (each market's offers,
bids, n x n route matrices and per-country caps one after another, located by offset
arrays), each market on its own: integer scaling, min-cost flow by successive shortest paths
on a dense supplier x bidder network, prices by label-correcting shortest paths on the
residual graph (dense supplier x country route rows), and the result in tonnes and USD/kg.
:func:`clear_range` clears a range of a batch's markets into outputs made beforehand
(:func:`empty_results`), so that threads can share a batch.
Plain loops throughout: they compile faster than numpy array expressions and make no
temporaries. Compiled code is cached on disk (``cache=True``): the
first call after a fresh checkout compiles for about 10 s, later processes load the cache.
"""

from __future__ import annotations

import numba as nb
import numpy as np

QTY_RES = 1e9
"""Integer units given to the largest quantity of a market."""
COST_RES = 1e6
"""Integer units given to the largest |cost| of a market."""
FEAS_RTOL = 1e-6
"""A required bid short by less than this share of the market's largest quantity is served."""
PRICE_TOL_UNITS = 1e-6 * QTY_RES
"""Residual capacities and flows below this many integer units are zero for pricing."""
BIG = np.int64(1) << np.int64(62)
"""Integer infinity (no arc, or a node S cannot reach)."""

OK, NO_CONVERGENCE, TOO_MANY_PATHS = 0, 1, 2
"""Status of a market: cleared; prices did not converge; the min-cost flow did not finish."""

_JIT = {"cache": True, "nogil": True, "boundscheck": False}
_INLINE = {**_JIT, "inline": "always"}
ROW_LANES = 8
"""Bidder rows of ``pair`` are padded to a whole multiple of this many entries (closed routes)."""


# --------------------------------------------------------------------------------------------
# Scaling to integers
# --------------------------------------------------------------------------------------------


@nb.njit(**_JIT)
def _scales(off_t, off_p, bid_t, bid_p, req, rc, route_open, export_cap, licence_cap):
    """(total tonnes, bid clip, units per tonne, units per USD/kg, big-M) of one market.

    Bids beyond twice the total supply are clipped (they stay unsaturated either way); with no
    supply at all, the bids set the scale. big-M is 0 without required bids. A simple path or
    cycle of the residual graph meets S and T at most once each (at most two offer arcs and
    two bid arcs) and each in[j] node at most once (at most two route arcs per country), so
    the part of its cost that is not a multiple of M is at most ``L = 2 c_off + 2 c_bid +
    2 n c_route``. With ``M > 2 L`` serving required demand always wins and a distance
    ``x + k M`` decodes uniquely to x.
    """
    n = rc.shape[0]
    tot_t, q_max, c_off, c_bid, c_route = 0.0, 0.0, 0.0, 0.0, 0.0
    for k in range(off_t.size):
        tot_t += off_t[k]
        q_max = max(q_max, off_t[k])
        c_off = max(c_off, abs(off_p[k]))
    clip = 2.0 * tot_t if tot_t > 0 else np.inf
    for k in range(bid_t.size):
        q_max = max(q_max, min(bid_t[k], clip))
        c_bid = max(c_bid, abs(bid_p[k]))
    for i in range(n):
        q_max = max(q_max, min(export_cap[i], tot_t), min(licence_cap[i], tot_t))
        for j in range(n):
            if i == j or route_open[i, j]:
                c_route = max(c_route, abs(rc[i, j]))
    qs = QTY_RES / (q_max if q_max > 0 else 1.0)
    c_max = max(c_off, c_bid, c_route)
    cs = COST_RES / (c_max if c_max > 0 else COST_RES)
    big_m = np.int64(0)
    if np.any(req):
        bound = 2.0 * (np.ceil(c_off * cs) + np.ceil(c_bid * cs) + n * np.ceil(c_route * cs) + 1.0)
        big_m = 2 * np.int64(bound) + 1
    return tot_t, clip, qs, cs, big_m


@nb.njit(**_JIT)
def _units(tonnes, price, clip, qs, cs, sign):
    """Capacities (rounded down) and ``sign`` x unit costs of offers or bids, in integer units."""
    cap = np.empty(tonnes.size, np.int64)
    cost = np.empty(tonnes.size, np.int64)
    for k in range(tonnes.size):
        cap[k] = np.int64(np.floor(min(tonnes[k], clip) * qs))
        cost[k] = sign * np.int64(np.rint(price[k] * cs))
    return cap, cost


@nb.njit(**_JIT)
def _routes(rc, route_open, licensed, cs):
    """Integer route costs (0 where unusable) and the open foreign routes, unlicensed and licensed."""
    n = rc.shape[0]
    rci = np.zeros((n, n), np.int64)
    fwd = np.zeros((n, n), np.bool_)
    lic = np.zeros((n, n), np.bool_)
    for i in range(n):
        for j in range(n):
            if i == j or route_open[i, j]:
                rci[i, j] = np.int64(np.rint(rc[i, j] * cs))
            if i != j and route_open[i, j]:
                lic[i, j] = licensed[i, j]
                fwd[i, j] = not licensed[i, j]
    return rci, fwd, lic


@nb.njit(**_JIT)
def _caps(caps, tot_t, qs, total):
    """Integer per-country caps, bounded by the total supply; and whether each is free (> supply)."""
    out = np.empty(caps.size, np.int64)
    free = np.empty(caps.size, np.bool_)
    for i in range(caps.size):
        out[i] = min(np.int64(np.floor(min(caps[i], tot_t) * qs)), total)
        free[i] = caps[i] > tot_t
    return out, free


@nb.njit(**_JIT)
def _present(country, cap, n):
    """(n,) bool: the country has a member (offer or bid) with non-zero capacity."""
    out = np.zeros(n, np.bool_)
    for k in range(country.size):
        if cap[k] > 0:
            out[country[k]] = True
    return out


# --------------------------------------------------------------------------------------------
# The network between suppliers and bidders (dense tables, compact indices)
# --------------------------------------------------------------------------------------------
# S suppliers (countries with supply), B bidders (countries with bids). Arcs without a cap of
# their own have the market's total supply as capacity. Tables (int64): ``sup`` (9, S) rows
# and ``pair`` (5, S, B') planes below (B' >= B: each row padded with closed routes to a whole
# multiple of ``ROW_LANES``, so that a row's relaxation runs in vector lanes, with no scalar
# remainder); a queue of offers (per supplier) or bids (per bidder):
# ``mem`` (3, members with capacity) rows MEMBER, REM (capacity left), UNIT_COST, sorted by
# cost within each group (ties in list order), and ``grp`` (2, groups) rows PTR, END: the
# group's members left are ``mem[:, PTR:END]``.

EXP_CAP, LIC_CAP, DOM, DOM_COST, HAS_LIC, F_DOM, F_EXP, F_LIC, N_USED = range(9)
"""Rows of ``sup``: caps, own bidder index (-1 if none), domestic cost, has licensed routes,
the flows on its domestic, export and licence arcs, and its number of routes with flow."""
COST, LICENSED, FLOW, ROOM_FWD, ROOM_LIC = range(5)
"""Planes of ``pair``: route cost (BIG if closed), licensed, flow, and the cost of the forward
arc out of gate (unlicensed) or lic (licensed) while it has room (BIG otherwise)."""
USED_BIDDER, USED_COST, USED_LICENSED = range(3)
"""Planes of ``used``: row s lists supplier s's routes with flow (its first ``sup[N_USED, s]``
entries), each with its bidder, cost and whether it is licensed, so that the reverse arcs are
read in one pass over contiguous rows."""
MEMBER, REM, UNIT_COST = range(3)
"""Rows of a queue's ``mem``."""
PTR, END = range(2)
"""Rows of a queue's ``grp``."""


@nb.njit(**_JIT)
def _index(has):
    """Countries where ``has`` holds, and each country's index among them (-1 if none)."""
    index = np.full(has.size, -1, np.int64)
    count = 0
    for i in range(has.size):
        if has[i]:
            index[i] = count
            count += 1
    members = np.empty(count, np.int64)
    for i in range(has.size):
        if has[i]:
            members[index[i]] = i
    return members, index


@nb.njit(**_JIT)
def _tables(rc, fwd, lic, suppliers, bidders, bid_index, exp_cap, lic_cap):
    """(sup, pair) of a market with no flow yet (``bid_index``: each country's bidder index)."""
    ns, nbid = suppliers.size, bidders.size
    sup = np.zeros((9, ns), np.int64)
    pair = np.full((5, ns, -(-nbid // ROW_LANES) * ROW_LANES), BIG, np.int64)
    pair[LICENSED] = 0
    pair[FLOW] = 0
    for s in range(ns):
        i = suppliers[s]
        sup[EXP_CAP, s], sup[LIC_CAP, s] = exp_cap[i], lic_cap[i]
        sup[DOM, s], sup[DOM_COST, s] = bid_index[i], rc[i, i]
        for j in range(rc.shape[0]):
            sup[HAS_LIC, s] |= lic[i, j]
        for b in range(nbid):
            j = bidders[b]
            if fwd[i, j] or lic[i, j]:
                pair[COST, s, b], pair[LICENSED, s, b] = rc[i, j], lic[i, j]
                pair[ROOM_LIC if lic[i, j] else ROOM_FWD, s, b] = rc[i, j]
    return sup, pair


@nb.njit(**_JIT)
def _queue(country, cap, cost, index, n_groups):
    """(mem, grp) of the members with capacity, grouped by ``index[country]``, sorted by cost.

    A counting sort by group, then a stable insertion sort by cost within each (short) group
    into a run that grows at both ends: a member cheaper than the run's first goes first, one
    not cheaper than its last goes last (a demand curve or an offer ladder comes in without
    shifts), any other is shifted in from the back. Equal costs keep their list order.
    """
    grp = np.zeros((2, n_groups), np.int64)
    for k in range(country.size):
        if cap[k] > 0:
            grp[END, index[country[k]]] += 1
    run_at, start = np.empty((2, n_groups), np.int64), 0  # rows: each group's run's first, end
    for g in range(n_groups):  # group g's run grows from the middle of run[:, 2 PTR : 2 END]
        grp[PTR, g], run_at[0, g], run_at[1, g] = start, 2 * start + grp[END, g], 2 * start + grp[END, g]
        start += grp[END, g]
        grp[END, g] = grp[PTR, g]
    run = np.empty((2, 2 * start), np.int64)  # rows: cost, member
    for k in range(country.size):
        if cap[k] > 0:
            g, c = index[country[k]], cost[k]
            lo, hi = run_at[0, g], run_at[1, g]
            if hi > lo and c < run[0, lo]:
                run[0, lo - 1], run[1, lo - 1], run_at[0, g] = c, k, lo - 1
                continue
            pos = hi
            while pos > lo and run[0, pos - 1] > c:
                run[0, pos], run[1, pos] = run[0, pos - 1], run[1, pos - 1]
                pos -= 1
            run[0, pos], run[1, pos], run_at[1, g] = c, k, hi + 1
    mem = np.empty((3, start), np.int64)
    for g in range(n_groups):
        for r in range(run_at[0, g], run_at[1, g]):
            pos, k = grp[END, g], run[1, r]
            mem[MEMBER, pos], mem[REM, pos], mem[UNIT_COST, pos] = k, cap[k], run[0, r]
            grp[END, g] = pos + 1
    return mem, grp


@nb.njit(**_JIT)
def _used(mem, cap):
    """(members,) capacity used of every offer or bid, integer units."""
    used = np.zeros(cap.size, np.int64)
    for k in range(mem.shape[1]):
        used[mem[MEMBER, k]] = cap[mem[MEMBER, k]] - mem[REM, k]
    return used


# --------------------------------------------------------------------------------------------
# Shortest distances from S (label-correcting, exact: the residual graph has no negative cycle)
# --------------------------------------------------------------------------------------------
# Nodes: out[s] = s, gate[s] = S + s, lic[s] = 2S + s, in[b] = 3S + b; pred -1 = from S.
# Hot loops index the tables inline: each call of a compiled function costs reference
# counting on every array it takes.


@nb.njit(**_INLINE)
def _better(du, cost, dv):
    """True if arc u -> v of this cost improves v's distance."""
    return du < BIG and du + cost < dv


@nb.njit(**_INLINE)
def _start(o_mem, o_grp, d, pred, dirty, seen):
    """Distances before the first round: out nodes at their cheapest offer left, others BIG.

    Every supplier is dirty; each bidder's distance last seen by the reverse arcs is BIG.
    """
    d[:], seen[:] = BIG, BIG
    for s in range(dirty.size):
        k = o_grp[PTR, s]
        d[s] = o_mem[UNIT_COST, k] if k < o_grp[END, s] else BIG
        pred[s], dirty[s] = -1, True


@nb.njit(**_INLINE)
def _distances(total, sup, pair, used, o_mem, o_grp, d, pred, dirty, seen):
    """Exact shortest distances from S (BIG if unreachable); False if they do not converge.

    Rounds of: each dirty supplier's own zero-cost arcs (out <-> gate <-> lic, one pass in
    this order suffices) and its arcs into the bidders; then, if a bidder's distance fell, the
    reverse arcs back (gate and lic keep their first least candidate in list order, as one arc
    at a time does; branch-free selects), which make suppliers dirty again.
    """
    ns, nbid, first = pair.shape[1], seen.size, 3 * pair.shape[1]
    _start(o_mem, o_grp, d, pred, dirty, seen)
    for _ in range(2 * (first + nbid) + 2):
        for s in range(ns):
            if not dirty[s]:
                continue
            dirty[s] = False
            out, gate, lic = s, ns + s, 2 * ns + s
            if sup[F_EXP, s] < sup[EXP_CAP, s] and _better(d[out], 0, d[gate]):
                d[gate], pred[gate] = d[out], out
            if sup[F_LIC, s] > 0 and _better(d[lic], 0, d[gate]):
                d[gate], pred[gate] = d[lic], lic
            if sup[F_EXP, s] > 0 and _better(d[gate], 0, d[out]):
                d[out], pred[out] = d[gate], gate
            if sup[HAS_LIC, s] and sup[F_LIC, s] < sup[LIC_CAP, s] and _better(d[gate], 0, d[lic]):
                d[lic], pred[lic] = d[gate], gate
            v = first + sup[DOM, s]
            if v >= first and sup[F_DOM, s] < total and _better(d[out], sup[DOM_COST, s], d[v]):
                d[v], pred[v] = d[out] + sup[DOM_COST, s], out
            for plane, u in ((ROOM_FWD, gate), (ROOM_LIC, lic)):
                du = d[u]
                if du < BIG:
                    for b in range(pair.shape[2]):  # vectorises, with masked stores; padded
                        new = du + pair[plane, s, b]
                        if new < d[first + b]:
                            d[first + b], pred[first + b] = new, u
        fresh = False  # a bidder's distance fell since the reverse arcs last saw it
        for b in range(nbid):  # branch-free, so that it vectorises
            fresh |= d[first + b] != seen[b]
            seen[b] = d[first + b]
        if not fresh:
            return True
        changed = False
        for s in range(ns):
            gate, lic = ns + s, 2 * ns + s
            d_gate, p_gate, d_lic, p_lic = d[gate], pred[gate], d[lic], pred[lic]
            for k in range(sup[N_USED, s]):  # branch-free: the least candidate, first on ties
                u = first + used[USED_BIDDER, s, k]
                new = d[u] - used[USED_COST, s, k] if d[u] < BIG else BIG
                licensed = used[USED_LICENSED, s, k] != 0
                to_gate, to_lic = not licensed and new < d_gate, licensed and new < d_lic
                d_gate, p_gate = (new, u) if to_gate else (d_gate, p_gate)
                d_lic, p_lic = (new, u) if to_lic else (d_lic, p_lic)
            if d_gate < d[gate] or d_lic < d[lic]:
                d[gate], pred[gate], d[lic], pred[lic] = d_gate, p_gate, d_lic, p_lic
                dirty[s], changed = True, True
            u = first + sup[DOM, s]
            if sup[F_DOM, s] > 0 and _better(d[u], -sup[DOM_COST, s], d[s]):
                d[s], pred[s], dirty[s], changed = d[u] - sup[DOM_COST, s], u, True, True
        if not changed:
            return True
    return False


# --------------------------------------------------------------------------------------------
# Successive shortest paths
# --------------------------------------------------------------------------------------------


@nb.njit(**_INLINE)
def _kind(ns, v):
    """(kind, index) of node v: kind 0 out, 1 gate, 2 lic, 3 in."""
    k = (v >= ns) + (v >= 2 * ns) + (v >= 3 * ns)  # no division (two per path arc and walk)
    return k, v - k * ns


@nb.njit(**_INLINE)
def _flow_slot(ns, u, v):
    """Where the flow of arc u -> v (or of its forward arc) lives: (in_pair, row, s, b, sign).

    ``sup[row, s]``, or ``pair[FLOW, s, b]`` if in_pair; sign -1 on a reverse arc.
    """
    ku, iu = _kind(ns, u)
    kv, iv = _kind(ns, v)
    if ku == 3:
        return (False, F_DOM, iv, 0, -1) if kv == 0 else (True, FLOW, iv, iu, -1)
    if kv == 3:
        return (False, F_DOM, iu, 0, 1) if ku == 0 else (True, FLOW, iu, iv, 1)
    if ku == 0 or kv == 0:
        return False, F_EXP, iu, 0, 1 if ku == 0 else -1
    return False, F_LIC, iu, 0, 1 if ku == 1 else -1


@nb.njit(**_INLINE)
def _cap(total, sup, in_pair, row, s):
    """Capacity of a forward arc whose flow is in ``sup[row, s]`` (or in ``pair``)."""
    if in_pair or row == F_DOM:
        return total
    return sup[EXP_CAP if row == F_EXP else LIC_CAP, s]


@nb.njit(**_INLINE)
def _path_room(total, sup, pair, pred, v, delta):
    """(bottleneck, capped at delta, of the tree path from S to node v; its first supplier)."""
    ns = sup.shape[1]
    while pred[v] >= 0:
        in_pair, row, s, b, sign = _flow_slot(ns, pred[v], v)
        flow = pair[FLOW, s, b] if in_pair else sup[row, s]
        delta = min(delta, flow if sign < 0 else _cap(total, sup, in_pair, row, s) - flow)
        v = pred[v]
    return delta, v


@nb.njit(**_INLINE)
def _path_push(total, sup, pair, used, pred, v, delta):
    """Send delta along the tree path from S to node v; True if one of its arcs saturated."""
    ns = sup.shape[1]
    saturated = False
    while pred[v] >= 0:
        in_pair, row, s, b, sign = _flow_slot(ns, pred[v], v)
        if in_pair:
            flow = pair[FLOW, s, b] + sign * delta
            pair[FLOW, s, b] = flow
            room = pair[COST, s, b] if flow < total else BIG
            pair[ROOM_LIC if pair[LICENSED, s, b] else ROOM_FWD, s, b] = room
            if flow == sign * delta or flow == 0:
                _list_route(sup, pair, used, s, b, flow > 0)
        else:
            flow = sup[row, s] + sign * delta
            sup[row, s] = flow
        saturated |= flow == (0 if sign < 0 else _cap(total, sup, in_pair, row, s))
        v = pred[v]
    return saturated


@nb.njit(**_INLINE)
def _list_route(sup, pair, used, s, b, add):
    """Add route s -> b to, or remove it from, supplier s's list of routes with flow."""
    count = sup[N_USED, s]
    if add:
        used[USED_BIDDER, s, count] = b
        used[USED_COST, s, count], used[USED_LICENSED, s, count] = pair[COST, s, b], pair[LICENSED, s, b]
        sup[N_USED, s] = count + 1
        return
    for k in range(count):
        if used[USED_BIDDER, s, k] == b:
            for plane in range(3):
                used[plane, s, k] = used[plane, s, count - 1]
            sup[N_USED, s] = count - 1
            return


@nb.njit(**_INLINE)
def _next_bidder(d, first, b_mem, b_grp):
    """Bidder whose next bid closes the cheapest S -> T path, -1 if none costs less than 0.

    Ties: the bid with the highest willingness to pay, then the first bidder.
    """
    best, pick = np.int64(0), -1
    for j in range(b_grp.shape[1]):
        k = b_grp[PTR, j]
        if k < b_grp[END, j] and d[first + j] < BIG:
            c = d[first + j] + b_mem[UNIT_COST, k]
            richer = pick >= 0 and b_mem[UNIT_COST, k] < b_mem[UNIT_COST, b_grp[PTR, pick]]
            if c < best or (c == best and richer):
                best, pick = c, j
    return pick


@nb.njit(**_JIT)
def _ssp(total, sup, pair, o_mem, o_grp, b_mem, b_grp):
    """Min-cost flow from S to T by successive shortest paths; False if it did not finish.

    After a path whose bottleneck is its bid, distances from S are unchanged (the new reverse
    arcs have zero reduced cost), so they are recomputed only when an earlier arc saturates (a
    middle arc, or the offer block unless its supplier's next block costs the same).
    """
    ns = pair.shape[1]
    first = 3 * ns
    d = np.empty(first + pair.shape[2], np.int64)
    pred = np.full(d.size, -2, np.int64)
    dirty = np.empty(ns, np.bool_)
    used = np.empty((3, ns, b_grp.shape[1]), np.int64)
    seen = np.empty(b_grp.shape[1], np.int64)
    if not _distances(total, sup, pair, used, o_mem, o_grp, d, pred, dirty, seen):
        return False
    for _ in range(10 * (5 * ns * b_grp.shape[1] + o_mem.size + b_mem.size) + 100):
        b = _next_bidder(d, first, b_mem, b_grp)
        if b < 0:
            return True
        bid = b_grp[PTR, b]
        delta, s = _path_room(total, sup, pair, pred, first + b, b_mem[REM, bid])
        offer = o_grp[PTR, s]
        delta = min(delta, o_mem[REM, offer])
        stale = _path_push(total, sup, pair, used, pred, first + b, delta)
        o_mem[REM, offer] -= delta
        if o_mem[REM, offer] == 0:
            o_grp[PTR, s] += 1
            stale |= offer + 1 == o_grp[END, s] or o_mem[UNIT_COST, offer + 1] != o_mem[UNIT_COST, offer]
        b_mem[REM, bid] -= delta
        if b_mem[REM, bid] == 0:
            b_grp[PTR, b] += 1
        if stale and not _distances(total, sup, pair, used, o_mem, o_grp, d, pred, dirty, seen):
            return False
    return False


# --------------------------------------------------------------------------------------------
# Prices: shortest paths between the root (S = T) and every node of the full residual graph
# --------------------------------------------------------------------------------------------
# Nodes of a market with n countries: out[i] = i, gate[i] = n + i, lic[i] = 2n + i,
# in[j] = 3n + j. Distances are float (+inf: no path); they are sums of integers, so exact,
# and unique: any method that finds shortest distances finds these, bit for bit. A method
# that stops only once a whole round changes nothing detects a negative cycle (the flow is
# not optimal) as Bellman-Ford does: by not converging within a round per node.


@nb.njit(**_JIT)
def _member_arcs(dist, offset, members, forward):
    """``dist[offset + c]`` = min(itself, cost) over the residual arcs of the members in country c.

    ``members``: (country, integer cost, capacity, flow) of the offers (arcs S -> out) or the
    bids (arcs in -> T); ``forward``: their arcs with room, else their reverse arcs.
    """
    country, cost, cap, flow = members
    for k in range(country.size):
        if flow[k] < cap[k] - PRICE_TOL_UNITS if forward else flow[k] > PRICE_TOL_UNITS:
            v = offset + country[k]
            dist[v] = min(dist[v], float(cost[k] if forward else -cost[k]))


OUT_GATE, GATE_OUT, GATE_LIC, LIC_GATE, IN_OUT = range(5)
"""Rows of a price graph's ``links``: whether a supplier's own arc of each kind is residual."""
BACK_IN, BACK_SUP, BACK_HEAD, BACK_COST = range(4)
"""Rows of a price graph's ``back``: a route's backward arc in[j] -> gate or lic of supplier s."""


@nb.njit(**_JIT)
def _price_graph(rc, fwd, lic, suppliers, flows, caps):
    """(links, routes, back) of the full residual graph, flows below the tolerance ignored.

    Only suppliers' out, gate and lic nodes can matter: other countries' have no arc in from
    the root's side, and no price reads their distance to the root. ``links`` (5, S): the
    supplier's arcs among its out, gate and lic nodes, and in -> out back along its domestic
    flow; ``routes`` (2, S, n): the forward route costs out of its gate and lic nodes to every
    in[j] (+inf where there is none); ``back`` (4, m): the routes' backward arcs.
    ``flows``: (domestic, export, licence, routes); ``caps``: (export cap, licence cap, export
    cap free, licence cap free).
    """
    n, ns, tol = rc.shape[0], suppliers.size, PRICE_TOL_UNITS
    (f_dom, f_exp, f_lic, f_route), (exp_cap, lic_cap, exp_free, lic_free) = flows, caps
    links = np.empty((5, ns), np.bool_)
    routes = np.full((2, ns, n), np.inf)
    back = np.empty((4, ns * n), np.int64)
    m = 0
    for s in range(ns):
        i = suppliers[s]
        has_lic = False
        for j in range(n):
            if fwd[i, j] or lic[i, j]:
                routes[1 if lic[i, j] else 0, s, j] = float(rc[i, j])
                has_lic |= lic[i, j]
                if f_route[i, j] > tol:
                    back[BACK_IN, m], back[BACK_SUP, m] = 3 * n + j, s
                    back[BACK_HEAD, m], back[BACK_COST, m] = (2 * n if lic[i, j] else n) + i, -rc[i, j]
                    m += 1
        links[OUT_GATE, s] = f_exp[i] < exp_cap[i] - tol or exp_free[i]
        links[GATE_OUT, s] = f_exp[i] > tol
        links[GATE_LIC, s] = has_lic and (f_lic[i] < lic_cap[i] - tol or lic_free[i])
        links[LIC_GATE, s] = f_lic[i] > tol
        links[IN_OUT, s] = f_dom[i] > tol
    return links, routes, back[:, :m]


@nb.njit(**_JIT)
def _close_links(d, links, s, i, n, backward):
    """Close supplier s's (country i's) zero-cost links in ``d``: one pass in this order suffices.

    From the root, out -> gate and lic -> gate first; to the root, the reverse arcs.
    """
    out, gate, lic = i, n + i, 2 * n + i
    if links[GATE_OUT if backward else OUT_GATE, s]:
        d[gate] = min(d[gate], d[out])
    if links[GATE_LIC if backward else LIC_GATE, s]:
        d[gate] = min(d[gate], d[lic])
    if links[OUT_GATE if backward else GATE_OUT, s]:
        d[out] = min(d[out], d[gate])
    if links[LIC_GATE if backward else GATE_LIC, s]:
        d[lic] = min(d[lic], d[gate])


@nb.njit(**_JIT)
def _back_arcs(d, suppliers, rc, graph, backward, dirty):
    """Relax the backward arcs (routes', and in -> out of domestic flow) once; True if one improved.

    From the root an arc improves its head (a supplier's node: ``dirty`` marks it), to the root
    its tail (an in node).
    """
    links, _, back = graph
    n, changed = rc.shape[0], False
    for k in range(back.shape[1]):
        u, v, c = back[BACK_IN, k], back[BACK_HEAD, k], back[BACK_COST, k]
        if backward:
            u, v = v, u
        if d[u] + c < d[v]:
            d[v], dirty[back[BACK_SUP, k]], changed = d[u] + c, True, True
    for s in range(suppliers.size):
        i = suppliers[s]
        u, v = (i, 3 * n + i) if backward else (3 * n + i, i)
        if links[IN_OUT, s] and d[u] - rc[i, i] < d[v]:
            d[v], dirty[s], changed = d[u] - rc[i, i], True, True
    return changed


@nb.njit(**_JIT)
def _from_root(d, suppliers, rc, graph):
    """Shortest distances from the root (initial ``d``: its arcs); False if they do not converge.

    Rounds of: each dirty supplier's links and its arcs into the in nodes (branch-free rows,
    so that they vectorise); then the backward arcs, which make suppliers dirty again.
    """
    links, routes, _ = graph
    n, ns = rc.shape[0], suppliers.size
    dirty = np.ones(ns, np.bool_)
    for _ in range(d.size + 2):
        for s in range(ns):
            if not dirty[s]:
                continue
            dirty[s] = False
            i = suppliers[s]
            _close_links(d, links, s, i, n, False)
            d[3 * n + i] = min(d[3 * n + i], d[i] + rc[i, i])
            for plane in range(2):
                du = d[(plane + 1) * n + i]
                if du < np.inf:
                    for j in range(n):
                        d[3 * n + j] = min(d[3 * n + j], du + routes[plane, s, j])
        if not _back_arcs(d, suppliers, rc, graph, False, dirty):
            return True
    return False


@nb.njit(**_JIT)
def _to_root(e, suppliers, rc, graph):
    """Shortest distances to the root (initial ``e``: the arcs into it); False if they do not converge.

    Rounds of: each supplier's arcs into the in nodes and its links; then the backward arcs,
    which change in nodes and so every supplier's next round.
    """
    links, routes, _ = graph
    n, ns = rc.shape[0], suppliers.size
    marked = np.empty(ns, np.bool_)  # suppliers whose nodes a backward arc improved: not needed here
    for _ in range(e.size + 2):
        for s in range(ns):
            i = suppliers[s]
            for plane in range(2):
                best = e[(plane + 1) * n + i]
                for j in range(n):
                    best = min(best, routes[plane, s, j] + e[3 * n + j])
                e[(plane + 1) * n + i] = best
            e[i] = min(e[i], rc[i, i] + e[3 * n + i])
            _close_links(e, links, s, i, n, True)
        if not _back_arcs(e, suppliers, rc, graph, True, marked):
            return True
    return False


@nb.njit(**_JIT)
def _decode(x, big_m):
    """Remove the multiples of big-M from a finite distance."""
    if big_m > 0 and np.isfinite(x):
        return x - np.rint(x / big_m) * big_m
    return x


@nb.njit(**_JIT)
def _prices(cs, big_m, has_sup, network, offers, bids, prices):
    """Write the prices (USD/kg) into ``prices``; False if the distances do not converge.

    ``network``: (suppliers, integer route costs, price graph); ``offers`` and ``bids``:
    (country, integer cost, capacity, flow) each. Where one more tonne of demand at in[j] can
    be met without cutting required demand, the price is its cost: the distance from the root
    to in[j]. Elsewhere it is the value of one more tonne there: minus the distance from in[j]
    to the root, or, if j's buyers have no use for it and j has supply, from out[j]; 0 if
    neither has a use.
    """
    n = prices.size
    suppliers, rc, graph = network
    d = np.full(4 * n, np.inf)
    _member_arcs(d, 0, offers, True)
    _member_arcs(d, 3 * n, bids, False)
    if not _from_root(d, suppliers, rc, graph):
        return False
    half_m = big_m / 2.0 if big_m > 0 else np.inf
    e = np.empty(0)
    for j in range(n):
        price = d[3 * n + j]
        if not price < half_m:
            if e.size == 0:
                e = np.full(4 * n, np.inf)
                _member_arcs(e, 0, offers, False)
                _member_arcs(e, 3 * n, bids, True)
                if not _to_root(e, suppliers, rc, graph):
                    return False
            price = -_decode(e[3 * n + j], big_m)
            if not np.isfinite(price):
                price = -_decode(e[j], big_m) if has_sup[j] else np.inf
            price = price if np.isfinite(price) else 0.0
        prices[j] = price / cs
    return True


# --------------------------------------------------------------------------------------------
# One market, then the batch
# --------------------------------------------------------------------------------------------


@nb.njit(**_JIT)
def _flows_of(sup, pair, suppliers, bidders, n):
    """Flows (integer units) per country: domestic, export, licence (n,) and routes (n, n)."""
    f_dom, f_exp, f_lic = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    f_route = np.zeros((n, n), np.int64)
    for s in range(suppliers.size):
        i = suppliers[s]
        f_dom[i], f_exp[i], f_lic[i] = sup[F_DOM, s], sup[F_EXP, s], sup[F_LIC, s]
        for b in range(bidders.size):
            f_route[i, bidders[b]] = pair[FLOW, s, b]
    return f_dom, f_exp, f_lic, f_route


@nb.njit(**_JIT)
def _write_result(qs, f_dom, f_route, f_off, f_bid, out):
    """Write flows, sold and bought in tonnes into ``out`` = (flows, prices, sold, bought)."""
    flows, _, sold, bought = out
    n = f_dom.size
    for i in range(n):
        for j in range(n):
            flows[i, j] = (f_dom[i] if i == j else f_route[i, j]) / qs
    for k in range(sold.size):
        sold[k] = f_off[k] / qs
    for k in range(bought.size):
        bought[k] = f_bid[k] / qs


@nb.njit(**_JIT)
def _welfare(off_p, sold, bid_p, bought, rc, flows):
    """Buyers' value minus sellers' cost minus route cost, in thousand USD."""
    w = 0.0
    for b in range(bid_p.size):
        w += bid_p[b] * bought[b]
    for o in range(off_p.size):
        w -= off_p[o] * sold[o]
    n = rc.shape[0]
    for i in range(n):
        for j in range(n):
            if flows[i, j] != 0:
                w -= rc[i, j] * flows[i, j]
    return w


@nb.njit(**_JIT)
def _feasible(req, bid_t, bought, qs):
    """False if a required bid is short by more than ``FEAS_RTOL`` of the largest quantity."""
    slack = FEAS_RTOL * QTY_RES / qs
    short = False
    for k in range(req.size):
        short |= req[k] and bid_t[k] - bought[k] > slack
    return not short


@nb.njit(**_JIT)
def _clear_one(offers, bids, routes, caps, out):
    """Clear one market into ``out`` = (flows, prices, sold, bought); (status, welfare, feasible).

    ``offers``: (country, tonnes, price); ``bids``: the same and required; ``routes``: (cost,
    open, licensed), each (n, n); ``caps``: (export cap, licence cap).
    """
    (off_c, off_t, off_p), (bid_c, bid_t, bid_p, req) = offers, bids
    (rc, route_open, licensed), (exp_r, lic_r) = routes, caps
    n = rc.shape[0]
    tot_t, clip, qs, cs, big_m = _scales(off_t, off_p, bid_t, bid_p, req, rc, route_open, exp_r, lic_r)
    off_cap, off_cost = _units(off_t, off_p, np.inf, qs, cs, 1)
    bid_cap, bid_cost = _units(bid_t, bid_p, clip, qs, cs, -1)
    total = np.int64(0)
    for k in range(off_cap.size):
        total += off_cap[k]
    for k in range(req.size):
        bid_cost[k] -= big_m * req[k]
    rci, fwd, lic = _routes(rc, route_open, licensed, cs)
    exp_cap, exp_free = _caps(exp_r, tot_t, qs, total)
    lic_cap, lic_free = _caps(lic_r, tot_t, qs, total)
    has_sup = _present(off_c, off_cap, n)
    (suppliers, sup_index), (bidders, bid_index) = _index(has_sup), _index(_present(bid_c, bid_cap, n))
    sup, pair = _tables(rci, fwd, lic, suppliers, bidders, bid_index, exp_cap, lic_cap)
    o_mem, o_grp = _queue(off_c, off_cap, off_cost, sup_index, suppliers.size)
    b_mem, b_grp = _queue(bid_c, bid_cap, bid_cost, bid_index, bidders.size)
    if not _ssp(total, sup, pair, o_mem, o_grp, b_mem, b_grp):
        return TOO_MANY_PATHS, 0.0, False
    f_off, f_bid = _used(o_mem, off_cap), _used(b_mem, bid_cap)
    f_dom, f_exp, f_lic, f_route = _flows_of(sup, pair, suppliers, bidders, n)
    free = (exp_cap, lic_cap, exp_free, lic_free)
    graph = _price_graph(rci, fwd, lic, suppliers, (f_dom, f_exp, f_lic, f_route), free)
    priced = (off_c, off_cost, off_cap, f_off), (bid_c, bid_cost, bid_cap, f_bid)
    if not _prices(cs, big_m, has_sup, (suppliers, rci, graph), priced[0], priced[1], out[1]):
        return NO_CONVERGENCE, 0.0, False
    _write_result(qs, f_dom, f_route, f_off, f_bid, out)
    flows, _, sold, bought = out
    return OK, _welfare(off_p, sold, bid_p, bought, rc, flows), _feasible(req, bid_t, bought, qs)


@nb.njit(**_JIT)
def empty_results(n, offers, bids, routes, countries):
    """Zeroed outputs of a flat batch, as :func:`clear_batch` returns them (see there)."""
    o_at, b_at, r_at, c_at = offers[0], bids[0], routes[0], countries[0]
    flows, prices = np.zeros(r_at[n.size]), np.zeros(c_at[n.size])
    sold, bought = np.zeros(o_at[n.size]), np.zeros(b_at[n.size])
    welfare, feasible, status = np.zeros(n.size), np.zeros(n.size, np.bool_), np.zeros(n.size, np.int64)
    return flows, prices, sold, bought, welfare, feasible, status


@nb.njit(**_JIT)
def clear_range(n, offers, bids, routes, countries, first, stop, results):
    """Clear markets ``first..stop - 1`` of a flat batch into ``results`` (from :func:`empty_results`).

    Writes only those markets' parts of the outputs, so threads may clear disjoint ranges
    into the same arrays.
    """
    (o_at, o_c, o_t, o_p), (b_at, b_c, b_t, b_p, b_req) = offers, bids
    (r_at, r_cost, r_open, r_lic), (c_at, c_exp, c_lic) = routes, countries
    flows, prices, sold, bought, welfare, feasible, status = results
    for k in range(first, stop):
        o, b = slice(o_at[k], o_at[k + 1]), slice(b_at[k], b_at[k + 1])
        r, c, shape = slice(r_at[k], r_at[k + 1]), slice(c_at[k], c_at[k + 1]), (n[k], n[k])
        out = (flows[r].reshape(shape), prices[c], sold[o], bought[b])
        status[k], welfare[k], feasible[k] = _clear_one(
            (o_c[o], o_t[o], o_p[o]),
            (b_c[b], b_t[b], b_p[b], b_req[b]),
            (r_cost[r].reshape(shape), r_open[r].reshape(shape), r_lic[r].reshape(shape)),
            (c_exp[c], c_lic[c]),
            out,
        )


@nb.njit(**_JIT)
def clear_batch(n, offers, bids, routes, countries):
    """Clear every market of a flat batch.

    Args:
        n: (K,) countries per market.
        offers: (at, country, tonnes, price): market k's offers are ``at[k]:at[k + 1]``.
        bids: (at, country, tonnes, price, required), the same way.
        routes: (at, cost, open, licensed): the n x n matrices, flat, one after another.
        countries: (at, export cap, licence cap).

    Returns:
        flows (the n x n matrices, flat), prices, sold, bought, welfare (K,), feasible (K,),
        status (K,): ``OK``, ``NO_CONVERGENCE`` or ``TOO_MANY_PATHS``.

    """
    results = empty_results(n, offers, bids, routes, countries)
    clear_range(n, offers, bids, routes, countries, 0, n.size, results)
    return results
