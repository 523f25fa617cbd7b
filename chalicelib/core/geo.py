"""Geohash cells and great-circle distance: enough geo to answer `within r of lat, lon` from an index."""

from __future__ import annotations

import math

_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
EARTH_RADIUS_M = 6_371_008.8
PRECISION = 9  # ~4.8 m cells: fine enough that any query radius picks a coarser prefix
# Approximate cell height in metres per geohash length (the smaller side of the cell).
_CELL_M = {1: 4_992_600, 2: 624_100, 3: 156_000, 4: 19_500, 5: 4_890, 6: 610, 7: 153, 8: 19, 9: 4.8}


def encode(lat: float, lon: float, precision: int = PRECISION) -> str:
    lat_lo, lat_hi, lon_lo, lon_hi = -90.0, 90.0, -180.0, 180.0
    out: list[str] = []
    bits, ch, even = 0, 0, True
    while len(out) < precision:
        if even:
            mid = (lon_lo + lon_hi) / 2
            ch = ch << 1 | (lon >= mid)
            lon_lo, lon_hi = (mid, lon_hi) if lon >= mid else (lon_lo, mid)
        else:
            mid = (lat_lo + lat_hi) / 2
            ch = ch << 1 | (lat >= mid)
            lat_lo, lat_hi = (mid, lat_hi) if lat >= mid else (lat_lo, mid)
        even = not even
        bits += 1
        if bits == 5:
            out.append(_BASE32[ch])
            bits, ch = 0, 0
    return "".join(out)


def _bounds(cell: str) -> tuple[float, float, float, float]:
    lat_lo, lat_hi, lon_lo, lon_hi = -90.0, 90.0, -180.0, 180.0
    even = True
    for c in cell:
        v = _BASE32.index(c)
        for shift in range(4, -1, -1):
            bit = v >> shift & 1
            if even:
                mid = (lon_lo + lon_hi) / 2
                lon_lo, lon_hi = (mid, lon_hi) if bit else (lon_lo, mid)
            else:
                mid = (lat_lo + lat_hi) / 2
                lat_lo, lat_hi = (mid, lat_hi) if bit else (lat_lo, mid)
            even = not even
    return lat_lo, lat_hi, lon_lo, lon_hi


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def covering_cells(lat: float, lon: float, radius_m: float) -> list[str]:
    """Geohash prefixes whose union covers the circle.

    Picks the longest prefix whose cell is at least the radius, then takes the centre
    cell and its neighbours: at most 9 index Queries, each reading only nearby points.
    """
    precision = 1
    for p in range(PRECISION, 0, -1):
        if _CELL_M[p] >= radius_m:
            precision = p
            break
    center = encode(lat, lon, precision)
    lat_lo, lat_hi, lon_lo, lon_hi = _bounds(center)
    dlat, dlon = lat_hi - lat_lo, lon_hi - lon_lo
    cells = set()
    for i in (-1, 0, 1):
        for j in (-1, 0, 1):
            clat = max(-89.999999, min(89.999999, lat + i * dlat))
            clon = (lon + j * dlon + 180.0) % 360.0 - 180.0
            cells.add(encode(clat, clon, precision))
    if radius_m > _CELL_M[1]:
        return sorted({encode(la, lo, 1) for la in range(-85, 90, 10) for lo in range(-175, 180, 10)})
    return sorted(cells)


def in_polygon(lat: float, lon: float, ring: tuple[tuple[float, float], ...]) -> bool:
    """Whether the point lies in the polygon of (lat, lon) vertices: even-odd ray casting with
    straight edges in lat/lon (MongoDB's legacy `$polygon`), a point on an edge or vertex inside."""
    inside = False
    n = len(ring)
    for i in range(n):
        (y1, x1), (y2, x2) = ring[i], ring[(i + 1) % n]
        if min(x1, x2) <= lon <= max(x1, x2) and min(y1, y2) <= lat <= max(y1, y2) \
                and abs((x2 - x1) * (lat - y1) - (y2 - y1) * (lon - x1)) <= 1e-12:
            return True
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def polygon_cells(ring: tuple[tuple[float, float], ...]) -> list[str]:
    """Geohash prefixes covering the polygon's bounding box: those of the circle around the box's
    centre through its farthest corner or edge midpoint (as for a `$box`)."""
    lats, lons = [p[0] for p in ring], [p[1] for p in ring]
    s, n, w, e = min(lats), max(lats), min(lons), max(lons)
    clat, clon = (s + n) / 2, (w + e) / 2
    edge = [(la, lo) for la in (s, clat, n) for lo in (w, clon, e)]
    return covering_cells(clat, clon, max(distance_m(clat, clon, la, lo) for la, lo in edge) + 1)
