#!/usr/bin/env python3
"""Generator for the illustrative demo geometry, places, address book and people.

Run from this directory:  python3 gen_data.py
It rewrites data/xinjing_grids.geojson, data/lujiazui_grids.geojson,
data/xinjing_places.json, data/lujiazui_places.json and data/people.json.
The output is deterministic. Boundaries are drawn by hand ("示意范围"): no
official town or grid polygons were available. The Go tests in this package
validate everything this script writes.
"""
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
NOTE = "示意范围 (illustrative boundary)"


def committees(street):
    out = []
    with open(os.path.join(DATA, "shanghai_villages_committees_2023.csv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            parts = line.strip().split(",")
            if parts[2] == street:
                out.append((parts[0], parts[1].strip('"')))
    return out


# ---------------------------------------------------------------- geometry

def point_in_ring(pt, ring):
    x, y = pt
    inside = False
    n = len(ring)
    for i in range(n - 1):
        x1, y1 = ring[i]
        x2, y2 = ring[i + 1]
        if (y1 > y) != (y2 > y):
            xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xi:
                inside = not inside
    return inside


def seg_dist(p, a, b):
    ax, ay = a
    bx, by = b
    px, py = p
    dx, dy = bx - ax, by - ay
    l2 = dx * dx + dy * dy
    t = 0 if l2 == 0 else max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / l2))
    qx, qy = ax + t * dx, ay + t * dy
    return math.hypot(px - qx, py - qy)


def inside_with_margin(pt, ring, margin):
    if not point_in_ring(pt, ring):
        return False
    return all(seg_dist(pt, ring[i], ring[i + 1]) >= margin for i in range(len(ring) - 1))


def signed_area(ring):
    s = 0
    for i in range(len(ring) - 1):
        s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
    return s / 2


def build_cells(nodes, hedges, vedges):
    """nodes[r][c]; hedges[(r,c)] interior points from nodes[r][c] to nodes[r][c+1];
    vedges[(r,c)] interior points from nodes[r][c] to nodes[r+1][c]."""
    rows = len(nodes) - 1
    cols = len(nodes[0]) - 1
    cells = []
    for r in range(rows):
        for c in range(cols):
            tl, tr = nodes[r][c], nodes[r][c + 1]
            bl, br = nodes[r + 1][c], nodes[r + 1][c + 1]
            ring = [tl] + vedges.get((r, c), []) + [bl]
            ring += hedges.get((r + 1, c), []) + [br]
            ring += list(reversed(vedges.get((r, c + 1), []))) + [tr]
            ring += list(reversed(hedges.get((r, c), []))) + [tl]
            ring = [[round(x, 6), round(y, 6)] for x, y in ring]
            assert signed_area(ring) > 0, (r, c)
            cells.append(ring)
    return cells


# 新泾镇: 3 rows of nodes (north outline, 天山西路, south outline) x 5 columns.
XJ_NODES = [
    [(121.3612, 31.2268), (121.3703, 31.2284), (121.3801, 31.2291), (121.3893, 31.2279), (121.3982, 31.2262)],
    [(121.3588, 31.2158), (121.3706, 31.2162), (121.3799, 31.2165), (121.3897, 31.2163), (121.4006, 31.2168)],
    [(121.3615, 31.2030), (121.3702, 31.2012), (121.3804, 31.2018), (121.3891, 31.2026), (121.3975, 31.2041)],
]
XJ_H = {
    # north outline, meandering like the Suzhou Creek bank
    (0, 0): [(121.3636, 31.2281), (121.3661, 31.2275), (121.3684, 31.2286)],
    (0, 1): [(121.3729, 31.2292), (121.3752, 31.2285), (121.3778, 31.2296)],
    (0, 2): [(121.3824, 31.2287), (121.3849, 31.2296), (121.3871, 31.2284)],
    (0, 3): [(121.3915, 31.2271), (121.3938, 31.2277), (121.3961, 31.2266)],
    # 天山西路 (internal, gentle bends)
    (1, 0): [(121.3648, 31.2159), (121.3677, 31.2161)],
    (1, 1): [(121.3752, 31.2164)],
    (1, 2): [(121.3848, 31.2165)],
    (1, 3): [(121.3951, 31.2166)],
    # south outline, stepped
    (2, 0): [(121.3642, 31.2027), (121.3660, 31.2016), (121.3684, 31.2014)],
    (2, 1): [(121.3735, 31.2010), (121.3760, 31.2021), (121.3785, 31.2019)],
    (2, 2): [(121.3832, 31.2014), (121.3858, 31.2029)],
    (2, 3): [(121.3921, 31.2031), (121.3946, 31.2036)],
}
XJ_V = {
    # west outline along the outer ring road, slightly slanted
    (0, 0): [(121.3604, 31.2233), (121.3596, 31.2196)],
    (1, 0): [(121.3594, 31.2118), (121.3603, 31.2074), (121.3609, 31.2050)],
    # internal borders with jogs along side roads
    (0, 1): [(121.3703, 31.2231), (121.3716, 31.2228), (121.3714, 31.2196), (121.3707, 31.2193)],
    (1, 1): [(121.3697, 31.2121), (121.3711, 31.2117), (121.3709, 31.2062)],
    (0, 2): [(121.3803, 31.2240), (121.3793, 31.2236), (121.3795, 31.2200)],
    (1, 2): [(121.3806, 31.2110), (121.3817, 31.2106), (121.3815, 31.2060), (121.3805, 31.2057)],
    (0, 3): [(121.3889, 31.2238), (121.3902, 31.2233), (121.3899, 31.2190)],
    (1, 3): [(121.3893, 31.2124), (121.3884, 31.2119), (121.3887, 31.2070)],
    # east outline with a notch
    (0, 4): [(121.3990, 31.2236), (121.4003, 31.2221), (121.4001, 31.2190)],
    (1, 4): [(121.4004, 31.2122), (121.3989, 31.2117), (121.3985, 31.2075)],
}

# 陆家嘴街道: one row of three grids, west outline along the Huangpu River.
LJZ_NODES = [
    [(121.4935, 31.2438), (121.5025, 31.2446), (121.5104, 31.2442), (121.5188, 31.2436)],
    [(121.4952, 31.2262), (121.5031, 31.2268), (121.5109, 31.2259), (121.5196, 31.2266)],
]
LJZ_H = {
    (0, 0): [(121.4962, 31.2443), (121.4994, 31.2440)],
    (0, 1): [(121.5061, 31.2449)],
    (0, 2): [(121.5140, 31.2441)],
    (1, 0): [(121.4981, 31.2259), (121.5008, 31.2264)],
    (1, 1): [(121.5068, 31.2270)],
    (1, 2): [(121.5148, 31.2257)],
}
LJZ_V = {
    (0, 0): [(121.4921, 31.2409), (121.4917, 31.2371), (121.4929, 31.2330), (121.4941, 31.2295)],
    (0, 1): [(121.5022, 31.2391), (121.5036, 31.2387), (121.5033, 31.2330), (121.5026, 31.2327)],
    (0, 2): [(121.5107, 31.2380), (121.5098, 31.2376), (121.5101, 31.2310)],
    (0, 3): [(121.5193, 31.2380), (121.5186, 31.2320), (121.5199, 31.2300)],
}

XJ_ASSIGN = {  # grid index -> committee code suffixes
    1: ["008", "009", "010", "011"],                   # 淞虹小区
    2: ["001", "002", "003", "004", "014"],            # 刘家宅, 屈家桥
    3: ["028", "038", "021", "027"],                   # 新渔东路, 新泾北苑, 北虹, 双流路
    4: ["026", "030", "032", "006"],                   # 林泉路, 定威路, 平塘, 淮阴路
    5: ["024", "012", "013", "025"],                   # 程桥, 华松, 曙光, 中泾
    6: ["015", "016", "017", "018", "019"],            # 绿园
    7: ["031", "033", "005", "037"],                   # 虹园九村, 虹康, 福泉路, 天山星城
    8: ["034", "035", "036"],                          # 南洋新都, 新泾, 怡景苑
}
LJZ_ASSIGN = {
    1: ["049", "055", "057", "035", "056", "036", "037", "009", "050", "002", "018", "005"],
    2: ["001", "003", "010", "011", "012", "013", "014", "016", "019", "059", "051"],
    3: ["038", "039", "040", "058", "042", "043", "045", "047", "048", "052", "053", "054"],
}
NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八"]


def grids_geojson(town, cells, assign, prefix):
    feats = []
    for i, ring in enumerate(cells, start=1):
        feats.append({
            "type": "Feature",
            "properties": {
                "code": "%s-G%02d" % (town, i),
                "name": "%s第%s网格" % (prefix, NUMERALS[i - 1]),
                "committees": [town + s for s in assign[i]],
                "note": NOTE,
            },
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        })
    return {"type": "FeatureCollection", "features": feats}


# ---------------------------------------------------------------- roads

XJ_ROADS = {
    # E-W roads: numbers grow westwards; N-S roads: numbers grow southwards
    "新渔东路": [(121.3615, 31.2252), (121.3700, 31.2249), (121.3790, 31.2253), (121.3885, 31.2250)],
    "林泉路": [(121.3910, 31.2251), (121.3985, 31.2246)],
    "双流路": [(121.3805, 31.2208), (121.3888, 31.2205)],
    "定威路": [(121.3910, 31.2207), (121.3995, 31.2203)],
    "天山西路": [XJ_NODES[1][0]] + XJ_H[(1, 0)] + [XJ_NODES[1][1]] + XJ_H[(1, 1)] + [XJ_NODES[1][2]]
    + XJ_H[(1, 2)] + [XJ_NODES[1][3]] + XJ_H[(1, 3)] + [XJ_NODES[1][4]],
    "仙霞西路": [(121.3600, 31.2085), (121.3700, 31.2088), (121.3800, 31.2084), (121.3900, 31.2086), (121.3990, 31.2090)],
    "淞虹路": [(121.3668, 31.2270), (121.3666, 31.2165), (121.3662, 31.2030)],
    "协和路": [(121.3628, 31.2150), (121.3630, 31.2040)],
    "剑河路": [(121.3770, 31.2285), (121.3768, 31.2165)],
    "哈密路": [(121.3745, 31.2160), (121.3748, 31.2020)],
    "北虹路": [(121.3868, 31.2280), (121.3866, 31.2170)],
    "福泉路": [(121.3845, 31.2282), (121.3843, 31.2165), (121.3846, 31.2025)],
    "淮阴路": [(121.3928, 31.2270), (121.3926, 31.2170)],
    "平塘路": [(121.3962, 31.2265), (121.3958, 31.2170)],
    "青溪路": [(121.3952, 31.2160), (121.3950, 31.2045)],
    "北翟路": [(121.3708, 31.2185), (121.3790, 31.2187)],
}
XJ_ROAD_EN = {
    "新渔东路": "Xinyu East Road", "林泉路": "Linquan Road", "双流路": "Shuangliu Road",
    "定威路": "Dingwei Road", "天山西路": "West Tianshan Road", "仙霞西路": "West Xianxia Road",
    "淞虹路": "Songhong Road", "协和路": "Xiehe Road", "剑河路": "Jianhe Road", "哈密路": "Hami Road",
    "北虹路": "Beihong Road", "福泉路": "Fuquan Road", "淮阴路": "Huaiyin Road", "平塘路": "Pingtang Road",
    "青溪路": "Qingxi Road", "北翟路": "Beizhai Road",
}
LJZ_ROADS = {
    "浦东南路": [(121.5035, 31.2440), (121.5040, 31.2265)],
    "东昌路": [(121.4945, 31.2360), (121.5180, 31.2355)],
    "崂山路": [(121.5130, 31.2440), (121.5135, 31.2265)],
    "乳山路": [(121.5150, 31.2300), (121.5185, 31.2300)],
    "福山路": [(121.5060, 31.2440), (121.5065, 31.2270)],
    "浦明路": [(121.4955, 31.2420), (121.4950, 31.2280)],
    "松林路": [(121.5045, 31.2300), (121.5100, 31.2300)],
    "张杨路": [(121.4970, 31.2285), (121.5190, 31.2290)],
}


def sample_on_roads(rng, ring, roads, names, margin=0.00025, tries=400):
    for _ in range(tries):
        name = rng.choice(names)
        pts = roads[name]
        i = rng.randrange(len(pts) - 1)
        t = rng.random()
        (x1, y1), (x2, y2) = pts[i], pts[i + 1]
        x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        dx, dy = x2 - x1, y2 - y1
        ln = math.hypot(dx, dy)
        off = rng.uniform(0.0003, 0.0008) * rng.choice([-1, 1])
        px, py = x - dy / ln * off, y + dx / ln * off
        if inside_with_margin((px, py), ring, margin):
            return name, (round(px, 6), round(py, 6)), abs(dx) > abs(dy), off > 0
    return None


def roads_in(ring, roads):
    out = []
    for name, pts in roads.items():
        for i in range(len(pts) - 1):
            hit = False
            for k in range(21):
                t = k / 20
                p = (pts[i][0] + t * (pts[i + 1][0] - pts[i][0]), pts[i][1] + t * (pts[i + 1][1] - pts[i][1]))
                for ox, oy in ((0, 0), (0, 0.0006), (0, -0.0006), (0.0006, 0), (-0.0006, 0)):
                    if inside_with_margin((p[0] + ox, p[1] + oy), ring, 0.0004):
                        hit = True
            if hit:
                out.append(name)
                break
    return sorted(set(out))


def house_number(road, pts, pos, ew, side):
    """A plausible house number from the position along the road: roughly one
    number per four metres, odd numbers on one side and even on the other."""
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    if ew:
        frac = (max(xs) - pos[0]) / (max(xs) - min(xs) + 1e-9)
    else:
        frac = (max(ys) - pos[1]) / (max(ys) - min(ys) + 1e-9)
    length = math.hypot(max(xs) - min(xs), max(ys) - min(ys))
    n = 1 + int(frac * length * 25000)
    if (n % 2 == 1) != side:
        n += 1
    return n


# ---------------------------------------------------------------- estates

XJ_ESTATES = {
    "001": ["刘家宅一村"], "002": ["刘家宅二村"], "003": ["刘家宅三村"], "004": ["刘家宅四村"],
    "005": ["福泉苑"], "006": ["淮阴小区"], "008": ["淞虹二村"], "009": ["淞虹三村"],
    "010": ["淞虹四村"], "011": ["淞虹五村"], "012": ["华松小区"], "013": ["曙光小区"],
    "014": ["屈家桥小区"], "015": ["绿园一村"], "016": ["绿园五村"], "017": ["绿园八村"],
    "018": ["绿园十一村"], "019": ["绿园十二村"], "021": ["北虹小区"], "024": ["程桥小区"],
    "025": ["中泾小区"], "026": ["林泉小区"], "027": ["双流小区"], "028": ["新渔东路小区"],
    "030": ["定威小区"], "031": ["虹园九村"], "032": ["平塘小区"], "033": ["虹康花苑", "虹康新苑"],
    "034": ["南洋新都"], "035": ["新泾一村", "新泾二村"], "036": ["怡景苑"], "037": ["天山星城"],
    "038": ["新泾北苑"],
}
XJ_ESTATE_ROAD = {  # preferred road for the estate's lane address, when it passes the grid
    "008": "淞虹路", "009": "新渔东路", "010": "淞虹路", "011": "天山西路",
    "001": "剑河路", "002": "北翟路", "003": "新渔东路", "004": "剑河路", "014": "天山西路",
    "028": "新渔东路", "038": "北虹路", "021": "北虹路", "027": "双流路",
    "026": "林泉路", "030": "定威路", "032": "平塘路", "006": "淮阴路",
    "024": "协和路", "012": "仙霞西路", "013": "淞虹路", "025": "天山西路",
    "015": "哈密路", "016": "哈密路", "017": "仙霞西路", "018": "天山西路", "019": "哈密路",
    "031": "仙霞西路", "033": "福泉路", "005": "福泉路", "037": "天山西路",
    "034": "仙霞西路", "035": "青溪路", "036": "天山西路",
}
LJZ_ESTATES = {
    "049": ["仁恒滨江园"], "001": ["梅园一村"], "038": ["崂山一村"], "045": ["乳山二村"],
    "055": ["滨江小区"], "011": ["福山小区"], "059": ["松林小区"], "053": ["东园新村一村"],
    "002": ["汇豪天下"], "010": ["福沈小区"], "047": ["乳山四村"], "052": ["浦江茗园"],
}

# ---------------------------------------------------------------- address book: buildings, landmarks

# Estates whose buildings (号楼) the demo's address book lists, with how many buildings: a
# resident writes "天山星城12号楼", and the book routes it by estate and building.
XJ_BUILDINGS = {
    "天山星城": 16, "绿园八村": 12, "虹园九村": 10, "刘家宅一村": 14, "淞虹二村": 9,
    "新泾一村": 11, "南洋新都": 8, "怡景苑": 6, "虹康花苑": 7, "屈家桥小区": 8,
}
# Landmarks as people name them, besides the places' own names: short forms, the words of a
# place's sign. Each is the landmark of the place named second. 北新泾站 (Metro Line 2) is placed
# along the southern kerb of 天山西路 near 剑河路, like the road itself (illustrative).
XJ_LANDMARK_ALIASES = [
    ("淞虹路站", "淞虹路地铁站"),
    ("淞虹路地铁站2号口", "淞虹路地铁站"),
    ("荟聚", "上海荟聚"),
    ("宜家", "上海荟聚"),
    ("同仁医院", "上海同仁医院"),
    ("社区党群服务中心", "新泾镇社区党群服务中心"),
    ("仙霞路党群服务中心", "宁聚里·新泾镇仙霞路党群服务中心"),
    ("宁聚里", "宁聚里·新泾镇仙霞路党群服务中心"),
    ("口袋花园", "同Xin街区口袋花园"),
    ("乐颐生境花园", "绿八居民区乐颐生境花园"),
    ("生境花园", "绿八居民区乐颐生境花园"),
    ("警示教育基地", "尚廉新泾警示教育基地"),
    ("社区卫生服务中心", "新泾镇社区卫生服务中心"),
    ("社区事务受理服务中心", "新泾镇社区事务受理服务中心"),
    ("法治文化广场", "新泾法治文化广场"),
]
XJ_EXTRA_LANDMARKS = [  # name, (lng, lat), grid number
    ("北新泾地铁站", (121.37600, 31.21560), 6),
    ("北新泾站", (121.37600, 31.21560), 6),
]


def xj_book_extras(places, estates, cells):
    """Building and landmark rows of 新泾镇's address book (deterministic, own random source)."""
    rng = random.Random(20261206)
    X = "310105102"
    by_name = {p["name"]: p for p in estates}
    buildings = []
    for estate, n in XJ_BUILDINGS.items():
        e = by_name[estate]
        ring = cells[int(e["grid"][-2:]) - 1]
        for b in range(1, n + 1):
            for _ in range(200):
                pt = (round(e["lng"] + rng.uniform(-0.0012, 0.0012), 6), round(e["lat"] + rng.uniform(-0.0009, 0.0009), 6))
                if inside_with_margin(pt, ring, 0.0002):
                    break
            else:
                pt = (e["lng"], e["lat"])
            buildings.append({"text": "%s%d号楼" % (estate, b), "road": "", "number": "", "estate": estate,
                              "building": "%d号楼" % b, "committee": e["committee"], "grid": e["grid"],
                              "lng": pt[0], "lat": pt[1]})
    landmarks = []
    named = {p["name"]: p for p in places}
    for p in places:
        if p["kind"] in ("estate", "road"):
            continue
        landmarks.append({"text": p["name"], "road": "", "number": "", "estate": "", "landmark": p["name"],
                          "committee": p.get("committee", ""), "grid": p["grid"], "lng": p["lng"], "lat": p["lat"]})
    for alias, name in XJ_LANDMARK_ALIASES:
        p = named[name]
        landmarks.append({"text": alias, "road": "", "number": "", "estate": "", "landmark": alias,
                          "committee": p.get("committee", ""), "grid": p["grid"], "lng": p["lng"], "lat": p["lat"]})
    for name, pt, g in XJ_EXTRA_LANDMARKS:
        assert inside_with_margin(pt, cells[g - 1], 0.0001), name
        landmarks.append({"text": name, "road": "", "number": "", "estate": "", "landmark": name,
                          "committee": "", "grid": "%s-G%02d" % (X, g), "lng": pt[0], "lat": pt[1]})
    return buildings, landmarks


# ---------------------------------------------------------------- people

SURNAMES = "张李赵陈刘杨黄周吴徐孙朱马胡郭林何高罗郑梁谢宋许韩冯曹彭曾肖田董袁蔡杜叶程苏魏吕丁任沈姚姜崔钟谭陆汪金石廖贾韦方白邹熊秦邱尹薛段雷龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向"
GIVEN = ["建国", "志强", "秀英", "桂芳", "玉兰", "海燕", "晓东", "丽华", "国庆", "美玲", "文杰", "佳怡", "子涵", "雨桐",
         "浩然", "俊杰", "静怡", "思远", "欣怡", "宇航", "梓萱", "明辉", "春梅", "红霞", "卫东", "永康", "凤英", "德明",
         "慧琳", "立新", "海峰", "晓燕", "振华", "雪芬", "国华", "爱萍", "金宝", "月琴", "志刚", "惠珍", "家骏", "一帆",
         "伊琳", "嘉诚", "梦瑶", "承泽", "晨曦", "凯文", "亚男", "培元", "文彬", "素芳", "根宝", "小妹", "玮琪", "旭东"]
SEED_NAMES = [
    "刘观锡", "潘敏", "卞晓清", "朱亮高", "张岑", "余双", "王晓琳", "黄兆铭", "徐盛", "潘国力", "焦文艳", "蒋丽萍",
    "卢明杰", "侯学军", "汤惠杰", "王敏", "陈之光", "江志平", "夏秀宾", "柏伟豪", "滕艳琴", "陈东易", "宋嘉禾", "陈大雨",
    "洪流", "安静", "范朱凤", "王伟", "吴道群", "周小平", "倪倩", "徐可畏", "邓亮", "凌军芬", "李灿", "张磊", "王云芝",
    "金煜纯", "黄琪", "孟馥", "费碧璇", "唐佳", "葛俊俊", "韩庆",
]


class Names:
    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def next(self):
        while True:
            n = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            if n in self.used or any(s in n for s in SEED_NAMES):
                continue
            self.used.add(n)
            return n


class Phones:
    """Clearly fake mobile numbers: the 100 prefix is not allocated in China."""

    def __init__(self):
        self.n = 0

    def next(self):
        self.n += 1
        return "100%08d" % (21050000 + self.n)


# ---------------------------------------------------------------- main

def main():
    rng = random.Random(20250711)
    xj_comm = committees("310105102")
    ljz_comm = committees("310115005")
    xj_name = dict(xj_comm)
    assert len(xj_comm) == 33 and len(ljz_comm) == 35

    xj_cells = build_cells(XJ_NODES, XJ_H, XJ_V)
    ljz_cells = build_cells(LJZ_NODES, LJZ_H, LJZ_V)
    xj_geo = grids_geojson("310105102", xj_cells, XJ_ASSIGN, "新泾镇")
    ljz_geo = grids_geojson("310115005", ljz_cells, LJZ_ASSIGN, "陆家嘴街道")
    for geo, comm in ((xj_geo, xj_comm), (ljz_geo, ljz_comm)):
        got = sorted(c for f in geo["features"] for c in f["properties"]["committees"])
        assert got == sorted(c for c, _ in comm), "committee assignment"
    with open(os.path.join(DATA, "xinjing_grids.geojson"), "w", encoding="utf-8") as f:
        json.dump(xj_geo, f, ensure_ascii=False, indent=1)
    with open(os.path.join(DATA, "lujiazui_grids.geojson"), "w", encoding="utf-8") as f:
        json.dump(ljz_geo, f, ensure_ascii=False, indent=1)

    def grid_of(committee, geo):
        for i, f in enumerate(geo["features"]):
            if committee in f["properties"]["committees"]:
                return i, f["properties"]["code"]
        raise KeyError(committee)

    def address_book(town, geo, cells, roads, estates, estate_road, rng):
        addrs, places, used = [], [], set()
        for suffix, names in sorted(estates.items()):
            code = town + suffix
            gi, gcode = grid_of(code, geo)
            ring = cells[gi]
            avail = roads_in(ring, roads)
            for k, estate in enumerate(names):
                pref = estate_road.get(suffix) if k == 0 else None
                choice = [pref] if pref in avail else avail
                res = sample_on_roads(rng, ring, roads, choice)
                assert res, (estate, choice)
                road, pt, ew, side = res
                num = house_number(road, roads[road], pt, ew, side)
                lane = "%s%d弄" % (road, num)
                while lane in used:
                    num += 2
                    lane = "%s%d弄" % (road, num)
                used.add(lane)
                addrs.append({"text": lane, "road": road, "number": "%d弄" % num, "estate": estate,
                              "committee": code, "grid": gcode, "lng": pt[0], "lat": pt[1]})
                places.append({"name": estate, "kind": "estate", "grid": gcode, "committee": code,
                               "lng": pt[0], "lat": pt[1], "address": lane})
                # one or two street-front numbers next to the estate (shops, offices)
                for _ in range(1 if town.endswith("005") else 2):
                    res = sample_on_roads(rng, ring, roads, avail)
                    road2, pt2, ew2, side2 = res
                    num2 = house_number(road2, roads[road2], pt2, ew2, side2)
                    text = "%s%d号" % (road2, num2)
                    while text in used:
                        num2 += 2
                        text = "%s%d号" % (road2, num2)
                    used.add(text)
                    addrs.append({"text": text, "road": road2, "number": "%d号" % num2, "estate": estate,
                                  "committee": code, "grid": gcode, "lng": pt2[0], "lat": pt2[1]})
        return addrs, places

    xj_addrs, xj_estates = address_book("310105102", xj_geo, xj_cells, XJ_ROADS, XJ_ESTATES, XJ_ESTATE_ROAD, rng)
    ljz_addrs, ljz_estates = address_book("310115005", ljz_geo, ljz_cells, LJZ_ROADS, LJZ_ESTATES, {}, rng)

    def landmark(name, name_en, kind, gnum, road, cells, roads, prefix, rng, committee=None):
        ring = cells[gnum - 1]
        res = sample_on_roads(rng, ring, roads, [road], margin=0.0003)
        assert res, name
        p = {"name": name, "name_en": name_en, "kind": kind, "grid": "%s-G%02d" % (prefix, gnum),
             "lng": res[1][0], "lat": res[1][1]}
        if committee:
            p["committee"] = committee
        return p

    def road_place(name, gnum, cells, roads, prefix, en, dy=0.0):
        ring = cells[gnum - 1]
        pts = [(x, y + dy) for x, y in roads[name]]
        inner = []
        for i in range(len(pts) - 1):
            for k in range(41):
                t = k / 40
                p = (pts[i][0] + t * (pts[i + 1][0] - pts[i][0]), pts[i][1] + t * (pts[i + 1][1] - pts[i][1]))
                if inside_with_margin(p, ring, 0.0002):
                    inner.append((round(p[0], 6), round(p[1], 6)))
        assert len(inner) >= 3, name
        line = [inner[0], inner[len(inner) // 2], inner[-1]]
        mid = inner[len(inner) // 2]
        return {"name": name, "name_en": en, "kind": "road", "grid": "%s-G%02d" % (prefix, gnum),
                "lng": mid[0], "lat": mid[1], "line": [list(p) for p in line]}

    X = "310105102"
    lm = [
        ("淞虹路地铁站", "Songhong Road Metro Station (Line 2)", "metro", 1, "淞虹路"),
        ("西郊金融园", "Xijiao Financial Park", "office_park", 5, "仙霞西路"),
        ("上海荟聚", "Livat Shanghai (IKEA mall)", "mall", 3, "新渔东路"),
        ("上海同仁医院", "Shanghai Tongren Hospital", "hospital", 8, "仙霞西路"),
        ("新泾镇社区党群服务中心", "Xinjing Community Party-Masses Service Centre", "party_centre", 7, "福泉路"),
        ("宁聚里·新泾镇仙霞路党群服务中心", "Ningjuli Xianxia Road Party-Masses Service Centre", "party_centre", 8, "仙霞西路"),
        ("同Xin街区口袋花园", "Tong Xin Pocket Garden (corner of Qingxi Road)", "garden", 8, "青溪路"),
        ("同Xin共享客厅", "Tong Xin Shared Living Room", "community_space", 8, "青溪路"),
        ("绿八居民区乐颐生境花园", "Lüba Leyi Habitat Garden", "garden", 6, "仙霞西路"),
        ("生境博物馆", "Habitat Museum", "museum", 6, "仙霞西路"),
        ("尚廉新泾警示教育基地", "Shanglian Xinjing Integrity Education Base", "education_base", 6, "天山西路"),
        ("新泾镇民间文化艺术展示馆", "Xinjing Folk Culture and Art Exhibition Hall", "exhibition", 7, "福泉路"),
        ("虹桥艺空间", "Hongqiao Art Space", "exhibition", 7, "福泉路"),
        ("绿苑小学", "Lüyuan Primary School", "school", 6, "哈密路"),
        ("新泾镇社区卫生服务中心", "Xinjing Community Health Service Centre", "clinic", 7, "仙霞西路"),
        ("临空城运中心", "Linkong City Operations Centre", "office", 5, "协和路"),
        ("新泾派出所", "Xinjing Police Station", "police", 4, "定威路"),
        ("临空派出所", "Linkong Police Station", "police", 5, "淞虹路"),
        ("新泾镇社区事务受理服务中心", "Xinjing Community Affairs Acceptance Centre", "service_centre", 7, "天山西路"),
        ("新泾法治文化广场", "Xinjing Rule-of-Law Culture Square", "square", 2, "剑河路"),
    ]
    xj_places = []
    for name, en, kind, g, road in lm:
        committee = X + "017" if name in ("绿八居民区乐颐生境花园", "生境博物馆") else None
        xj_places.append(landmark(name, en, kind, g, road, xj_cells, XJ_ROADS, X, rng, committee))
    # 天山西路 is the border between the northern and southern grids: its point and
    # line are drawn along the southern kerb, inside 第六网格.
    for name, g, dy in [("仙霞西路", 8, 0), ("青溪路", 8, 0), ("天山西路", 6, -0.0004), ("淞虹路", 1, 0),
                        ("新渔东路", 3, 0)]:
        xj_places.append(road_place(name, g, xj_cells, XJ_ROADS, X, XJ_ROAD_EN[name], dy))
    xj_places += xj_estates

    xj_buildings, xj_landmarks = xj_book_extras(xj_places, xj_estates, xj_cells)

    L = "310115005"
    ljz_places = [
        landmark("仁恒滨江园", "Yanlord Riverside Garden", "estate", 1, "浦明路", ljz_cells, LJZ_ROADS, L, rng, L + "049"),
        landmark("陆家嘴街道城运中心", "Lujiazui Subdistrict City Operations Centre", "office", 2, "福山路", ljz_cells, LJZ_ROADS, L, rng),
        landmark("陆家嘴派出所", "Lujiazui Police Station", "police", 2, "东昌路", ljz_cells, LJZ_ROADS, L, rng),
        landmark("东方医院", "Shanghai East Hospital", "hospital", 3, "张杨路", ljz_cells, LJZ_ROADS, L, rng),
    ] + [p for p in ljz_estates if p["name"] != "仁恒滨江园"]

    with open(os.path.join(DATA, "xinjing_places.json"), "w", encoding="utf-8") as f:
        json.dump({"places": xj_places, "addresses": xj_addrs, "buildings": xj_buildings,
                   "landmarks": xj_landmarks}, f, ensure_ascii=False, indent=1)
    with open(os.path.join(DATA, "lujiazui_places.json"), "w", encoding="utf-8") as f:
        json.dump({"places": ljz_places, "addresses": ljz_addrs}, f, ensure_ascii=False, indent=1)

    # ---------------- people
    names = Names(random.Random(7))
    phones = Phones()
    town = "310105102"
    users = [
        ("admin", "admin", town, "310105", "", ""),
        ("dispatcher", "dispatcher", town, "310105", "xj-opscentre", ""),
        ("handler_police", "handler", town, "310105", "xj-police", ""),
        ("handler_enforcement", "handler", town, "310105", "xj-enforcement", ""),
        ("handler_market", "handler", town, "310105", "xj-market", ""),
        ("handler_committee", "handler", town, "310105", town + "026", ""),
        ("gridworker", "gridworker", town, "310105", town + "026", "310105102-G04"),
        ("gridleader", "gridleader", town, "310105", town + "030", "310105102-G04"),
        ("leader", "leader", town, "310105", "xj-office", ""),
        ("deputy", "deputy", town, "310105", "", ""),
        ("resident", "resident", town, "310105", "", ""),
        ("volunteer", "volunteer", town, "310105", "", ""),
        ("changning", "leader", "", "310105", "", ""),
        ("lujiazui_admin", "admin", "310115005", "310115", "ljz-opscentre", ""),
        ("lujiazui_dispatcher", "dispatcher", "310115005", "310115", "ljz-opscentre", ""),
    ]
    out_users = []
    by_user = {}
    for u, role, tcode, dcode, dept, grid in users:
        rec = {"username": u, "role": role, "display_name": names.next(), "town": tcode, "district": dcode,
               "department": dept, "grid": grid, "phone": phones.next()}
        by_user[u] = rec
        out_users.append(rec)

    members = []
    west = {1, 2, 5, 6}
    for geo, prefix, police, market in ((xj_geo, "xj", None, None), (ljz_geo, "ljz", "ljz-police", "ljz-market")):
        for i, f in enumerate(geo["features"], start=1):
            gcode = f["properties"]["code"]
            comms = f["properties"]["committees"]
            if prefix == "xj":
                pol = "xj-police-lk" if i in west else "xj-police"
                mkt = "xj-market-lk" if i in west else "xj-market"
                prop = ["xj-prop-jinghong", "xj-prop-xinyu", "xj-prop-tianjing"][i % 3]
                enf = "xj-enforcement"
            else:
                pol, mkt, prop, enf = police, market, "ljz-prop-binjiang", "ljz-enforcement"
            if prefix == "xj":
                heads = [("leader", comms[0]), ("deputy", comms[1 % len(comms)]), ("liaison", comms[-1])]
            else:
                # only 仁恒 is modelled as a department in 陆家嘴: other grid heads come from the subdistrict
                deputy = "310115005049" if "310115005049" in comms else "ljz-service"
                heads = [("leader", "ljz-opscentre"), ("deputy", deputy), ("liaison", "ljz-service")]
            rows = heads + [("member", pol), ("member", mkt), ("member", enf)]
            if i % 2 == 0:
                rows.append(("member", prop))
            for role, dept in rows:
                m = {"name": names.next(), "grid": gcode, "grid_role": role, "department": dept,
                     "phone": phones.next(), "username": ""}
                members.append(m)
            if gcode == "310105102-G04":
                # the demo grid leader and grid worker are members of 第四网格
                for m in members:
                    if m["grid"] != gcode:
                        continue
                    if m["grid_role"] == "leader":
                        m.update(name=by_user["gridleader"]["display_name"], phone=by_user["gridleader"]["phone"],
                                 username="gridleader", department=by_user["gridleader"]["department"])
                members.append({"name": by_user["gridworker"]["display_name"], "grid": gcode, "grid_role": "member",
                                "department": by_user["gridworker"]["department"],
                                "phone": by_user["gridworker"]["phone"], "username": "gridworker"})

    residents = []
    rrng = random.Random(11)
    for k in range(40):
        a = rrng.choice(xj_addrs)
        text = a["text"]
        if text.endswith("弄"):
            text += "%d号%d室" % (rrng.randint(1, 40), rrng.choice([1, 2, 3, 4, 5, 6]) * 100 + rrng.randint(1, 4))
        residents.append({"name": names.next(), "phone": phones.next(), "address": text,
                          "address_ref": a["text"], "grid": a["grid"]})
    by_user["resident"]["address"] = residents[0]["address"]
    with open(os.path.join(DATA, "people.json"), "w", encoding="utf-8") as f:
        json.dump({"users": out_users, "grid_members": members, "residents": residents}, f, ensure_ascii=False, indent=1)
    print("xinjing addresses", len(xj_addrs), "places", len(xj_places), "members", len(members))


if __name__ == "__main__":
    main()
