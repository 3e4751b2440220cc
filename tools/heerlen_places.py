"""Where things are in Heerlen: the tables behind ``data/heerlen/heerlen.gpkg``.

All coordinates are RD New (EPSG:28992) metres. Real geometry (Natura 2000, municipal
boundaries, stops) is read from ``data/heerlen/real/``; the tables below place what has no real
source in the repository (park polygons, roads, junctions, dwellings, NNN). They are SCHEMATIC:
positions are read off public descriptions and the real anchor points, shapes are drawn.

Sources of the positions (each an approximation; the error is stated per table):

- parks: the 11 stops named after a park or its street (``business_park_stops.geojson``),
  001 §2.1 ("In het noorden van de gemeente zien we een cluster op de grens met Brunssum
  bestaande uit Nieuw Einde, Emma (grenzend aan Handelsterrein Emma in Brunssum) en
  Weggebekker. Een tweede cluster ... De Koumen, Wijngaardsweg, Ten Esschen, Prinsenstraat e.o.
  en Smitzerveld. Verder is er een cluster in het zuiden van de gemeente bestaande uit Beitel,
  Baaks-Soureth, Trilandis en Avantis."), C-Mill in the district Molenberg (herbestemming.nl,
  project C-Mill: "Jan Campertstraat 5, 6416 SG Heerlen", "voormalige Philipsterrein in de
  Heerlense wijk Molenberg"), De Kissel at the station Heerlen de Kissel; the others are
  assumptions (stated per row).
- roads: N281 "stadsautoweg Heerlen" from Nijswiller (50°48′16″ N, 5°57′40″ E) past the A76
  at Simpelveld and the Avantis lights to the A76 at knooppunt Ten Esschen (50°54′21″ N,
  5°55′31″ E) (de.wikipedia "Provinciale weg 281"; limburg.nl "N281 stadsautoweg Heerlen");
  Buitenring Parkstad (N300) from the A76 at Nuth (turboplein Kathagen) round Brunssum, through
  the Brunssummerheide (ecoduct), Landgraaf and Kerkrade to the Avantis roundabout on the N281
  (limburg.nl "Buitenring Parkstad"; buitenring.nl "Aansluiting op Avantis"); the A76 along
  the Heerlen-Voerendaal border past Kunderberg (A79) to Simpelveld and Bocholtz. Intermediate
  vertices are placed by eye on these descriptions: assumption, error up to about 500 m.
"""

from __future__ import annotations

# park_id: (name, anchor x, anchor y, width/height ratio, rotation in degrees, basis).
# The polygon is a chamfered rectangle of exactly the gross area (001, Kerncijfers) around the
# anchor; tools/make_heerlen_layers.py shifts it (smallest shift first) until it lies inside the
# real Heerlen boundary and overlaps no park placed before it.
PARK_PLACES: dict[str, tuple[str, float, float, float, float, str]] = {
    "beitel": ("De Beitel", 198250, 317850, 1.0, 35, "stop 'Heerlen De Beitel Beitel/Sourethweg'"),
    "trilandis": ("Trilandis", 199150, 317000, 1.2, 35, "stop 'Heerlen Trilandis/Earl Bakkenstraat'"),
    "avantis": ("Avantis", 199500, 315800, 1.0, 35, "stops 'Heerlen Avantis Business Center / World Trade Center'"),
    "baaks-soureth": ("Baaks-Soureth", 197250, 318250, 1.2, 35, "stop 'Heerlen Sourethweg'"),
    "coriopolis": ("Coriopolis (SD)", 195550, 321750, 1.2, 0, "stop 'Heerlen Coriopolis'"),
    "de-koumen": ("De Koumen", 193700, 324500, 1.4, 0, "stop 'Heerlen De Koumen'"),
    "wijngaardsweg": ("Wijngaardsweg", 194450, 324700, 1.2, 0, "stop 'Heerlen Terhoevenderweg/Wijngaardsweg'"),
    "nieuw-einde": ("Nieuw Einde", 195700, 326000, 1.2, 0, "stops 'Heerlen Nieuw Einde Gaardstraat/Kampstraat'"),
    "c-mill": ("C-Mill", 195700, 322850, 1.2, 0, "district Molenberg (herbestemming.nl, C-Mill)"),
    "de-kissel": ("De Kissel", 197900, 322700, 1.2, 0, "beside station Heerlen de Kissel (assumption)"),
    "emma": ("Emma", 194900, 326550, 1.3, 0, "north cluster on the Brunssum border (001 §2.1); position assumed"),
    "weggebekker": ("Weggebekker", 196050, 326550, 1.1, 0, "north cluster (001 §2.1); position assumed"),
    "ten-esschen": ("Ten Esschen", 193250, 323750, 1.2, 0, "at knooppunt Ten Esschen (assumption)"),
    "smitzerveld": ("Smitzerveld", 194350, 323950, 1.3, 0, "cluster De Koumen-Wijngaardsweg (001 §2.1); assumed"),
    "prinsenstraat": ("Prinsenstraat e.o.", 195050, 324450, 1.3, 0, "cluster De Koumen-Wijngaardsweg; assumed"),
    "litscherveld": ("Litscherveld", 193300, 325300, 1.2, 0, "solitary, Hoensbroek (assumption)"),
    "in-de-cramer": ("In de Cramer", 195000, 322800, 1.2, 0, "west of Molenberg (assumption)"),
}

# Road vertices (schematic alignment of the real roads; error up to about 500 m).
NODES: dict[str, tuple[float, float]] = {
    # A76 west to east
    "A76-west": (187000, 325600),
    "J-kathagen": (189800, 325000),
    "J-ten-esschen": (192850, 324140),
    "A76-a": (194500, 322000),
    "A76-b": (195900, 320000),
    "J-kunderberg": (196700, 318700),
    "A76-c": (197900, 317200),
    "J-simpelveld": (198700, 316300),
    "J-bocholtz": (199900, 315000),
    "A76-border": (201300, 314200),
    "A79-west": (190000, 317500),
    # N281 Nijswiller - Simpelveld - Avantis - Ten Esschen
    "N281-nijswiller": (195457, 312882),
    "J-avantis": (199600, 316400),
    "N281-a": (199300, 317700),
    "J-heerlerbaan": (199200, 319200),
    "N281-b": (198500, 320900),
    "J-kissel": (197900, 322300),
    "N281-c": (197000, 323500),
    "J-heerlerheide": (195900, 324100),
    "N281-d": (194300, 324050),
    # N300 Kathagen - Brunssum - Landgraaf - Kerkrade - Avantis
    "J-hoensbroek": (190600, 326500),
    "N300-amstenrade": (192000, 327800),
    "N300-brunssum-west": (193800, 328700),
    "N300-brunssum": (195600, 329200),
    "J-brunssum-zuid": (197200, 327600),
    "N300-ecoduct": (198600, 326600),
    "J-landgraaf-noord": (200300, 326500),
    "N300-landgraaf-oost": (202300, 325500),
    "N300-eygelshoven": (203300, 323800),
    "N300-landgraaf-zuid": (202500, 322000),
    "J-kerkrade-west": (201300, 320200),
    "J-kerkrade": (200700, 318300),
    # Heerlen city roads
    "centrum": (196400, 321900),
    "valkenburgerweg": (196500, 320300),
    "kerkraderweg": (197900, 320400),
    "beersdalweg": (195500, 322600),
    "hoensbroek-zuid": (193200, 324900),
    "brunssum-zuid": (196000, 327200),
}

# (road name, road_class, speed_kmh, capacity_veh_h, volume_veh_h, node chain). Capacities per
# direction at peak hour, volumes the current peak hour: ASSUMPTIONS (no traffic-model table is
# bundled); the N281 volume is set high because limburg.nl calls it "een van de drukste
# provinciale wegen".
ROADS: list[tuple[str, str, int, int, int, list[str]]] = [
    ("A76", "motorway", 100, 4200, 3100,
     ["A76-west", "J-kathagen", "J-ten-esschen", "A76-a", "A76-b", "J-kunderberg", "A76-c",
      "J-simpelveld", "J-bocholtz", "A76-border"]),
    ("A79", "motorway", 100, 3600, 2400, ["A79-west", "J-kunderberg"]),
    ("N281", "main", 70, 3600, 3000,
     ["N281-nijswiller", "J-simpelveld", "J-avantis", "N281-a", "J-heerlerbaan", "N281-b", "J-kissel",
      "N281-c", "J-heerlerheide", "N281-d", "J-ten-esschen"]),
    ("Buitenring Parkstad (N300)", "main", 100, 3600, 2300,
     ["J-kathagen", "J-hoensbroek", "N300-amstenrade", "N300-brunssum-west", "N300-brunssum",
      "J-brunssum-zuid", "N300-ecoduct", "J-landgraaf-noord", "N300-landgraaf-oost", "N300-eygelshoven",
      "N300-landgraaf-zuid", "J-kerkrade-west", "J-kerkrade", "J-avantis"]),
    ("Valkenburgerweg", "main", 50, 1600, 1250, ["J-kunderberg", "valkenburgerweg", "centrum"]),
    ("Kerkraderweg", "main", 50, 1500, 1200, ["centrum", "kerkraderweg", "J-heerlerbaan"]),
    ("Beersdalweg", "main", 50, 1600, 1100, ["centrum", "beersdalweg", "J-heerlerheide"]),
    ("Hoensbroek-Zuid", "main", 50, 1400, 900, ["N281-d", "hoensbroek-zuid", "J-hoensbroek"]),
    ("Brunssum-Zuid", "local", 30, 700, 300, ["J-heerlerheide", "brunssum-zuid", "J-brunssum-zuid"]),
]  # fmt: skip

# park_id: (node the access road starts from, road_class, speed_kmh, capacity_veh_h,
# volume_veh_h); assumptions as in the schematic layers (the access roads of Trilandis and
# De Beitel are near capacity so that the headroom criterion bites).
ACCESS: dict[str, tuple[str, str, int, int, int]] = {
    "avantis": ("J-avantis", "access", 50, 1800, 900),
    "trilandis": ("N281-a", "access", 50, 1200, 1110),
    "beitel": ("N281-a", "access", 50, 1500, 1380),
    "baaks-soureth": ("valkenburgerweg", "access", 50, 900, 420),
    "coriopolis": ("beersdalweg", "access", 50, 1200, 700),
    "in-de-cramer": ("beersdalweg", "access", 50, 1200, 950),
    "de-kissel": ("J-kissel", "access", 50, 1000, 600),
    "c-mill": ("beersdalweg", "access", 50, 1000, 780),
    "prinsenstraat": ("J-heerlerheide", "access", 50, 900, 500),
    "wijngaardsweg": ("N281-d", "access", 50, 1200, 820),
    "smitzerveld": ("N281-d", "access", 50, 900, 560),
    "de-koumen": ("N281-d", "access", 50, 1400, 1150),
    "ten-esschen": ("J-ten-esschen", "access", 50, 900, 450),
    "emma": ("hoensbroek-zuid", "access", 50, 1000, 500),
    "nieuw-einde": ("brunssum-zuid", "access", 50, 700, 250),
    "weggebekker": ("brunssum-zuid", "local", 30, 600, 280),
    "litscherveld": ("hoensbroek-zuid", "access", 50, 600, 200),
}

# junction node: (name, road). Interchanges and exits of the A76, the N281 (a stadsautoweg with
# grade-separated exits) and the N300.
JUNCTIONS: dict[str, tuple[str, str]] = {
    "J-kathagen": ("Nuth / Kathagen (A76/N300)", "A76"),
    "J-ten-esschen": ("Knooppunt Ten Esschen (A76/N281)", "A76"),
    "J-kunderberg": ("Knooppunt Kunderberg (A76/A79)", "A76"),
    "J-simpelveld": ("Simpelveld (A76/N281)", "A76"),
    "J-bocholtz": ("Bocholtz (A76)", "A76"),
    "J-avantis": ("Avantis (N281/N300)", "N281"),
    "J-heerlerbaan": ("Heerlerbaan (N281)", "N281"),
    "J-kissel": ("De Kissel (N281)", "N281"),
    "J-heerlerheide": ("Heerlerheide (N281)", "N281"),
    "J-hoensbroek": ("Hoensbroek (N300)", "N300"),
    "J-brunssum-zuid": ("Brunssum-Zuid (N300)", "N300"),
    "J-landgraaf-noord": ("Landgraaf-Noord (N300)", "N300"),
    "J-kerkrade-west": ("Kerkrade-West (N300)", "N300"),
    "J-kerkrade": ("Kerkrade (N300)", "N300"),
}

# Built-up areas: (name, kind, xmin, ymin, xmax, ymax), schematic outlines (error several hundred
# metres); the parks are cut out of them.
RESIDENTIAL: list[tuple[str, str, float, float, float, float]] = [
    ("Heerlen-Centrum", "built-up", 195700, 320900, 197300, 322350),
    ("Heerlerheide", "dwellings", 195300, 323300, 197300, 324600),
    ("Molenberg - Zeswegen", "dwellings", 194600, 322400, 195900, 323300),
    ("Hoensbroek", "dwellings", 191400, 324900, 193300, 326300),
    ("Heerlerbaan", "dwellings", 198000, 319300, 199300, 320600),
    ("Welten - Benzenrade", "dwellings", 196600, 319100, 197800, 320500),
    ("Schandelen - Grasbroek", "dwellings", 197400, 320900, 198600, 322000),
    ("Brunssum", "built-up", 194300, 327300, 196600, 329400),
    ("Voerendaal", "built-up", 190600, 319000, 192300, 320400),
    ("Simpelveld", "built-up", 196300, 314500, 197900, 315800),
    ("Bocholtz", "built-up", 200300, 313600, 201700, 314500),
    ("Kerkrade", "built-up", 200900, 318600, 203300, 321300),
    ("Landgraaf", "built-up", 200600, 322200, 203000, 325200),
    ("Nuth", "built-up", 187800, 323200, 189600, 324800),
]

# Schematic NNN: zones around the real Natura 2000 sites and two brook valleys (assumption: the
# provincial NNN layer is not bundled). (name, zone, Natura 2000 site or None, buffer m, line).
NNN_AROUND_NATURA2000: list[tuple[str, str, str, float]] = [
    ("Brunssummerheide randzone", "goudgroen", "Brunssummerheide", 250.0),
    ("Geleenbeekdal (NNN)", "zilvergroen", "Geleenbeekdal", 300.0),
    ("Kunderberg omgeving", "zilvergroen", "Kunderberg", 200.0),
]
NNN_VALLEYS: list[tuple[str, str, list[tuple[float, float]], float]] = [
    ("Caumerbeekdal", "goudgroen", [(200000, 318900), (198800, 319000), (197900, 318700)], 90.0),
    ("Anstelerbeekdal", "zilvergroen", [(199800, 321800), (200100, 323500), (200400, 325200)], 120.0),
]
