"""Seeded tabletop scenes: what lies on the table (`SceneSpec`) and the MJCF text that builds it.

World frame: table top at z = 0, +x away from the front camera, +y to its left, metres.
The gripper is a parallel gripper with two slide-jointed finger pads on position actuators. By
default it floats: a free body welded to a mocap target. With robot="arm" it is the last link
of a Franka-like 7-DoF arm (`envs.tabletop.arm`) and the mocap target only marks the goal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

TABLE_HALF = (0.32, 0.42)  # table top half-extents (x, y)
DEPTH_FAR = 5.0  # far clipping distance (m); background pixels read this depth
SPAWN_LOW, SPAWN_HIGH = np.array([-0.15, -0.25]), np.array([0.15, 0.25])
SEPARATION = 0.04  # free gap between footprints, wide enough for open fingers
FINGER_TRAVEL = 0.045  # each pad slides 0..4.5 cm from the centre line
PAD_HALF = (0.012, 0.005, 0.03)  # pad box half-extents; the tcp sits at the pad centres
PAD_Z = 0.005  # pad centre height above the tcp (pads span tcp-0.025 .. tcp+0.035)
TCP_MIN_Z = 0.028  # lowest tcp height that keeps the pads off the table
GRIPPER_HOME = (-0.05, 0.0, 0.22)

COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.85, 0.12, 0.12),
    "green": (0.15, 0.65, 0.2),
    "blue": (0.15, 0.3, 0.85),
    "yellow": (0.95, 0.85, 0.1),
    "purple": (0.55, 0.2, 0.7),
    "orange": (1.0, 0.5, 0.05),
    "cyan": (0.1, 0.8, 0.85),
    "white": (0.95, 0.95, 0.95),
}
SHAPES = ("cube", "block", "cylinder", "ball")
TARGET_KINDS = ("bowl", "bin", "zone")
# name -> (position, look-at point, vertical field of view in degrees) for the fixed cameras.
CAMERAS: dict[str, tuple[tuple[float, float, float], tuple[float, float, float], float]] = {
    "front": ((-0.5, 0.0, 0.6), (0.05, 0.0, 0.0), 50.0),
    "top": ((0.0, 0.0, 1.05), (0.0, 0.0, 0.0), 45.0),
}
WRIST_CAMERA = ((-0.06, 0.0, 0.03), (0.0, 0.0, -0.06), 75.0)  # in the gripper frame
CAMERA_NAMES = (*CAMERAS, "wrist")
ROBOTS = ("gripper", "arm")  # floating mocap gripper, or the 7-DoF arm carrying it


@dataclass(frozen=True)
class ObjectSpec:
    """A graspable rigid object: its shape noun, colour name, MuJoCo size and resting pose."""

    name: str
    shape: str  # "cube" | "block" | "cylinder" | "ball"
    colour: str
    rgba: tuple[float, float, float, float]
    size: tuple[float, ...]  # MuJoCo geom size: box half-extents, (radius, half-height), (radius,)
    pos: tuple[float, float] = (0.0, 0.0)
    yaw: float = 0.0
    distractor: bool = False

    @property
    def geom_type(self) -> str:
        return {"cube": "box", "block": "box", "cylinder": "cylinder", "ball": "sphere"}[self.shape]

    @property
    def half_height(self) -> float:
        """Centre height above the table when resting (metres)."""
        return self.size[2] if self.geom_type == "box" else self.size[-1]

    @property
    def radius(self) -> float:
        """Radius of the footprint's bounding circle (metres)."""
        if self.geom_type == "box":
            return math.hypot(self.size[0], self.size[1])
        return self.size[0]

    @property
    def phrase(self) -> str:
        """How an instruction names it, e.g. 'red cube'."""
        return f"{self.colour} {self.shape}"


@dataclass(frozen=True)
class TargetSpec:
    """A static goal on the table: a bowl (round), bin (square walls) or flat zone."""

    name: str
    kind: str  # "bowl" | "bin" | "zone"
    colour: str
    rgba: tuple[float, float, float, float]
    half: float  # inner radius (bowl) or inner half-side (bin, zone), metres
    pos: tuple[float, float] = (0.0, 0.0)
    wall: float = 0.008
    rim: float = 0.03  # wall height (0 for zones)

    @property
    def radius(self) -> float:
        """Radius of the footprint's bounding circle (metres)."""
        outer = self.half + (self.wall if self.kind != "zone" else 0.0)
        return outer if self.kind == "bowl" else outer * math.sqrt(2.0)

    @property
    def phrase(self) -> str:
        return f"{self.colour} {self.kind}"

    def contains_xy(self, xy: Sequence[float], margin: float = 0.0) -> bool:
        """Whether a world (x, y) lies inside the inner footprint shrunk by `margin` metres."""
        d = np.asarray(xy[:2], dtype=float) - np.asarray(self.pos)
        if self.kind == "bowl":
            return float(np.hypot(*d)) <= self.half - margin
        return bool(np.all(np.abs(d) <= self.half - margin))


@dataclass(frozen=True)
class Appearance:
    """Everything that changes pixels but not physics or success: light, colours, camera jitter."""

    table_rgb: tuple[float, float, float] = (0.62, 0.6, 0.56)
    floor_rgb: tuple[float, float, float] = (0.3, 0.32, 0.35)
    table_texture: str = "none"  # "none" | "checker" | "gradient"
    texture_rgb: tuple[float, float, float] = (0.5, 0.5, 0.5)
    light_dir: tuple[float, float, float] = (0.3, 0.2, -1.0)
    light_diffuse: float = 0.7
    ambient: float = 0.35
    camera_jitter: tuple[tuple[str, tuple[float, ...]], ...] = ()  # (name, dpos xyz + dlook xyz)


@dataclass(frozen=True)
class SceneSpec:
    """One tabletop scene: objects, targets, appearance, gripper start pose (x, y, z, yaw)."""

    objects: tuple[ObjectSpec, ...]
    targets: tuple[TargetSpec, ...] = ()
    appearance: Appearance = field(default_factory=Appearance)
    gripper_home: tuple[float, float, float, float] = (*GRIPPER_HOME, 0.0)

    def object(self, name: str) -> ObjectSpec:
        """The object called `name` (StopIteration if absent)."""
        return next(o for o in self.objects if o.name == name)

    def target(self, name: str) -> TargetSpec:
        """The target called `name` (StopIteration if absent)."""
        return next(t for t in self.targets if t.name == name)


Capsule = tuple[tuple[float, float], tuple[float, float], float]  # xy segment and radius


def _rgba(colour: str) -> tuple[float, float, float, float]:
    return (*COLOURS[colour], 1.0)


def sample_object(rng: np.random.Generator, colour: str, shapes: Sequence[str]) -> ObjectSpec:
    """One object of a shape drawn from `shapes`, sized to fit the open gripper."""
    shape = str(shapes[int(rng.integers(len(shapes)))])
    if shape == "cube":
        s = rng.uniform(0.018, 0.025)
        size: tuple[float, ...] = (s, s, s)
    elif shape == "block":
        a = rng.uniform(0.017, 0.022)
        size = (a, rng.uniform(a + 0.01, 0.038), rng.uniform(0.018, 0.024))
    elif shape == "cylinder":
        size = (rng.uniform(0.018, 0.025), rng.uniform(0.02, 0.03))
    elif shape == "ball":
        size = (rng.uniform(0.02, 0.026),)
    else:
        raise ValueError(f"unknown shape {shape!r}; known: {SHAPES}")
    size = tuple(round(float(v), 4) for v in size)
    yaw = float(rng.uniform(-math.pi, math.pi)) if shape in ("cube", "block") else 0.0
    name = f"{colour}_{shape}"
    return ObjectSpec(name, shape, colour, _rgba(colour), size, yaw=yaw)


def sample_target(rng: np.random.Generator, colour: str, kind: str) -> TargetSpec:
    """One target of `kind` with an opening wide enough for any object."""
    if kind == "bowl":
        return TargetSpec(f"{colour}_bowl", kind, colour, _rgba(colour), rng.uniform(0.06, 0.07))
    if kind == "bin":
        return TargetSpec(f"{colour}_bin", kind, colour, _rgba(colour), rng.uniform(0.055, 0.063))
    if kind == "zone":
        half = rng.uniform(0.055, 0.065)
        return TargetSpec(f"{colour}_zone", kind, colour, (*COLOURS[colour], 0.6), half, rim=0.0)
    raise ValueError(f"unknown target kind {kind!r}; known: {TARGET_KINDS}")


def capsule_distance(xy: Sequence[float], capsule: Capsule) -> float:
    """Distance from a point to a capsule's axis segment minus its radius (negative inside)."""
    p, a, b = (np.asarray(v, dtype=float) for v in (xy, capsule[0], capsule[1]))
    ab = b - a
    t = float(np.clip(np.dot(p - a, ab) / max(float(np.dot(ab, ab)), 1e-12), 0.0, 1.0))
    return float(np.linalg.norm(p - (a + t * ab))) - capsule[2]


def _place(
    rng: np.random.Generator,
    radii: Sequence[float],
    taken: list[tuple[np.ndarray, float]],
    keep_clear: Sequence[Capsule] = (),
    tries: int = 300,
) -> list[tuple[float, float]] | None:
    """Rejection-sample non-overlapping centres for footprints of `radii` inside the spawn area."""
    placed = []
    for r in radii:
        for _ in range(tries):
            xy = rng.uniform(SPAWN_LOW, SPAWN_HIGH)
            free = all(np.linalg.norm(xy - c) >= r + rc + SEPARATION for c, rc in taken)
            if free and all(capsule_distance(xy, cap) >= r for cap in keep_clear):
                break
        else:
            return None
        taken.append((xy, r))
        placed.append((round(float(xy[0]), 4), round(float(xy[1]), 4)))
    return placed


def sample_scene(
    rng: np.random.Generator,
    required: Sequence[Sequence[str]],
    target_kinds: Sequence[str],
    n_objects: int,
) -> SceneSpec:
    """A scene whose first objects take shapes from `required`, the rest any shape; colours unique.

    Targets are placed first (they are larger); every footprint keeps SEPARATION from the others.
    """
    n_objects = max(n_objects, len(required))
    for _ in range(100):
        colours = [str(c) for c in rng.permutation(list(COLOURS))]
        objects = [
            sample_object(rng, colours[i], required[i] if i < len(required) else SHAPES)
            for i in range(n_objects)
        ]
        target_colours = [str(c) for c in rng.permutation(list(COLOURS))[: len(target_kinds)]]
        targets = [
            sample_target(rng, c, k) for c, k in zip(target_colours, target_kinds, strict=True)
        ]
        taken: list[tuple[np.ndarray, float]] = []
        spots = _place(rng, [t.radius for t in targets] + [o.radius for o in objects], taken)
        if spots is None:
            continue
        targets = [replace(t, pos=p) for t, p in zip(targets, spots[: len(targets)], strict=True)]
        objects = [replace(o, pos=p) for o, p in zip(objects, spots[len(targets) :], strict=True)]
        return SceneSpec(tuple(objects), tuple(targets))
    raise RuntimeError("could not lay out the scene; lower n_objects")


def add_distractors(
    spec: SceneSpec, rng: np.random.Generator, n: int, keep_clear: Sequence[Capsule] = ()
) -> SceneSpec:
    """Add up to `n` extra objects in unused colours, away from everything and `keep_clear`."""
    used = {o.colour for o in spec.objects}
    free = [c for c in COLOURS if c not in used]
    taken = [(np.asarray(o.pos), o.radius) for o in (*spec.objects, *spec.targets)]
    extra = []
    for colour in [str(c) for c in rng.permutation(free)][:n]:
        obj = replace(sample_object(rng, colour, SHAPES), distractor=True)
        spot = _place(rng, [obj.radius], taken, keep_clear, tries=50)
        if spot is not None:
            extra.append(replace(obj, pos=spot[0]))
    return replace(spec, objects=spec.objects + tuple(extra))


def sample_appearance(rng: np.random.Generator, cameras: Sequence[str]) -> Appearance:
    """Randomized lighting, table/floor colours and texture, and small camera pose jitter."""

    def rgb(lo: float, hi: float) -> tuple[float, float, float]:
        return tuple(round(float(v), 3) for v in rng.uniform(lo, hi, 3))  # type: ignore[return-value]

    jitter = tuple(
        (name, tuple(round(float(v), 4) for v in rng.uniform(-0.02, 0.02, 6)))
        for name in cameras
        if name in CAMERAS
    )
    light = rng.uniform([-0.6, -0.6, -1.0], [0.6, 0.6, -0.6])
    return Appearance(
        table_rgb=rgb(0.3, 0.8),
        floor_rgb=rgb(0.1, 0.6),
        table_texture=str(rng.choice(["none", "checker", "gradient"])),
        texture_rgb=rgb(0.2, 0.9),
        light_dir=tuple(round(float(v), 3) for v in light),  # type: ignore[arg-type]
        light_diffuse=round(float(rng.uniform(0.45, 0.9)), 3),
        ambient=round(float(rng.uniform(0.2, 0.45)), 3),
        camera_jitter=jitter,
    )


def xyaxes(pos: Sequence[float], look: Sequence[float]) -> tuple[float, ...]:
    """MuJoCo camera `xyaxes` (right, up) for a camera at `pos` looking at `look`, z up."""
    f = np.asarray(look, dtype=float) - np.asarray(pos, dtype=float)
    f /= np.linalg.norm(f)
    up = np.array([0.0, 0.0, 1.0]) if abs(f[2]) < 0.99 else np.array([1.0, 0.0, 0.0])
    right = np.cross(f, up)
    right /= np.linalg.norm(right)
    return (*right, *np.cross(right, f))


def _fmt(values: Sequence[float]) -> str:
    return " ".join(f"{float(v):.6g}" for v in values)


def _camera_xml(name: str, pos: Sequence[float], look: Sequence[float], fovy: float) -> str:
    return (
        f'<camera name="{name}" pos="{_fmt(pos)}" xyaxes="{_fmt(xyaxes(pos, look))}"'
        f' fovy="{fovy:g}"/>'
    )


def _target_xml(t: TargetSpec) -> str:
    rgba = _fmt(t.rgba)
    if t.kind == "zone":
        geoms = [
            f'<geom name="{t.name}" type="box" size="{t.half:.4f} {t.half:.4f} 0.0005"'
            f' pos="0 0 0.0005" rgba="{rgba}" contype="0" conaffinity="0"/>'
        ]
    else:
        outer = t.half + t.wall
        base = f"{outer:.4f} 0.002" if t.kind == "bowl" else f"{outer:.4f} {outer:.4f} 0.002"
        geoms = [
            f'<geom name="{t.name}_base" type="{"cylinder" if t.kind == "bowl" else "box"}"'
            f' size="{base}" pos="0 0 0.002" rgba="{rgba}"/>'
        ]
        h, w = t.rim / 2.0, t.wall / 2.0
        n = 12 if t.kind == "bowl" else 4
        mid = t.half + w
        half_len = mid * math.tan(math.pi / n) + w if t.kind == "bowl" else t.half + t.wall
        for k in range(n):
            a = 2.0 * math.pi * k / n
            geoms.append(
                f'<geom name="{t.name}_wall{k}" type="box" size="{w:.4f} {half_len:.4f} {h:.4f}"'
                f' pos="{mid * math.cos(a):.4f} {mid * math.sin(a):.4f} {h:.4f}"'
                f' euler="0 0 {a:.5f}" rgba="{rgba}"/>'
            )
    return f'<body name="{t.name}" pos="{_fmt(t.pos)} 0">{"".join(geoms)}</body>'


def _object_xml(o: ObjectSpec) -> str:
    quat = _fmt((math.cos(o.yaw / 2), 0.0, 0.0, math.sin(o.yaw / 2)))
    condim = 6 if o.shape == "ball" else 4
    z = o.half_height + 0.001
    return (
        f'<body name="{o.name}" pos="{_fmt(o.pos)} {z:.4f}" quat="{quat}">'
        f'<freejoint name="{o.name}"/>'
        f'<geom name="{o.name}" type="{o.geom_type}" size="{_fmt(o.size)}" rgba="{_fmt(o.rgba)}"'
        f' density="400" condim="{condim}" friction="1 0.005 0.0005"/></body>'
    )


def gripper_parts_xml() -> str:
    """The gripper body's insides: palm, wrist, tcp/fingertip sites, wrist camera, fingers."""
    px, py, pz = PAD_HALF
    wpos, wlook, wfovy = WRIST_CAMERA
    fingers = "".join(
        f'<body name="finger_{side}" gravcomp="1">'
        f'<joint name="finger_{side}" type="slide" axis="0 {sign} 0" range="0 {FINGER_TRAVEL}"'
        f' damping="3" armature="0.01"/>'
        f'<geom name="pad_{side}" type="box" size="{px} {py} {pz}" pos="0 {sign * py} {PAD_Z}"'
        f' rgba=".2 .2 .22 1" mass="0.03" condim="4" friction="1.5 0.02 0.002"'
        f' solref="0.005 1"/></body>'
        for side, sign in (("left", 1), ("right", -1))
    )
    return (
        '<geom name="palm" type="box" size="0.022 0.062 0.01" pos="0 0 0.045" mass="0.3"'
        ' rgba=".55 .55 .6 1"/>'
        '<geom name="wrist" type="cylinder" size="0.02 0.03" pos="0 0 0.085" mass="0.1"'
        ' rgba=".45 .45 .5 1"/>'
        '<site name="tcp" size="0.004" rgba="1 0 0 0"/>'
        f'<site name="fingertip" pos="0 0 {PAD_Z - pz:.4f}" size="0.004" rgba="1 0 0 0"/>'
        f"{_camera_xml('wrist', wpos, wlook, wfovy)}{fingers}"
    )


def _gripper_xml(home: Sequence[float], robot: str) -> str:
    """The mocap target at the home pose, and the gripper: floating (welded to it) or on the arm."""
    pos = _fmt(home[:3])
    quat = _fmt((math.cos(home[3] / 2), 0, 0, math.sin(home[3] / 2)))
    target = f'<body name="gripper_target" mocap="true" pos="{pos}" quat="{quat}"/>'
    if robot == "arm":
        from envs.tabletop.arm import arm_xml

        return target + arm_xml(gripper_parts_xml())
    return (
        f'{target}<body name="gripper" pos="{pos}" quat="{quat}" gravcomp="1">'
        f'<freejoint name="gripper"/>{gripper_parts_xml()}</body>'
    )


def build_mjcf(
    spec: SceneSpec,
    width: int,
    height: int,
    shadows: bool = False,
    timestep: float = 0.002,
    robot: str = "gripper",
) -> str:
    """The MJCF text of a scene, with an offscreen buffer sized for width x height frames.

    `robot` is "gripper" (floating, welded to the mocap target) or "arm" (the 7-DoF arm of
    `envs.tabletop.arm` carrying the same gripper; the mocap target is then only a marker).
    """
    if robot not in ROBOTS:
        raise ValueError(f"unknown robot {robot!r}; known: {ROBOTS}")
    app = spec.appearance
    jitter = dict(app.camera_jitter)
    cameras = []
    for name, (pos, look, fovy) in CAMERAS.items():
        d = jitter.get(name, (0.0,) * 6)
        cameras.append(_camera_xml(name, np.add(pos, d[:3]), np.add(look, d[3:]), fovy))
    texture = ""
    material = f'<material name="table" rgba="{_fmt(app.table_rgb)} 1" specular="0.1"/>'
    if app.table_texture != "none":
        texture = (
            f'<texture name="table" type="2d" builtin="{app.table_texture}" width="64"'
            f' height="64" rgb1="{_fmt(app.table_rgb)}" rgb2="{_fmt(app.texture_rgb)}"/>'
        )
        material = '<material name="table" texture="table" texrepeat="4 4" specular="0.1"/>'
    ambient, diffuse = app.ambient, app.light_diffuse
    weld = '<equality><weld body1="gripper_target" body2="gripper" solref="0.01 1"/></equality>\n'
    arm_actuators = ""
    if robot == "arm":
        from envs.tabletop.arm import arm_actuators_xml

        weld, arm_actuators = "", arm_actuators_xml() + "\n"
    return f"""<mujoco model="tabletop">
<compiler angle="radian" autolimits="true"/>
<option timestep="{timestep:g}" integrator="implicitfast" cone="elliptic" impratio="10"/>
<statistic extent="1" center="0 0 0.1"/>
<visual>
<global offwidth="{width}" offheight="{height}"/>
<quality offsamples="0" shadowsize="{1024 if shadows else 0}"/>
<map znear="0.02" zfar="{DEPTH_FAR:g}"/>
<headlight ambient="{ambient} {ambient} {ambient}" diffuse="0.2 0.2 0.2" specular="0 0 0"/>
</visual>
<asset>{texture}{material}</asset>
<worldbody>
<geom name="floor" type="plane" size="4 4 0.1" pos="0 0 -0.75" rgba="{_fmt(app.floor_rgb)} 1"/>
<geom name="table" type="box" size="{TABLE_HALF[0]} {TABLE_HALF[1]} 0.02" pos="0 0 -0.02"
 material="table" friction="0.8 0.005 0.0005"/>
<light name="sun" directional="true" pos="0 0 1.5" dir="{_fmt(app.light_dir)}"
 diffuse="{diffuse} {diffuse} {diffuse}" specular="0.1 0.1 0.1"
 castshadow="{str(shadows).lower()}"/>
{"".join(cameras)}
{"".join(_target_xml(t) for t in spec.targets)}
{"".join(_object_xml(o) for o in spec.objects)}
{_gripper_xml(spec.gripper_home, robot)}
</worldbody>
<contact><exclude body1="finger_left" body2="finger_right"/></contact>
{weld}<actuator>
<position name="finger_left" joint="finger_left" kp="400" ctrlrange="0 {FINGER_TRAVEL}"
 forcerange="-12 12"/>
<position name="finger_right" joint="finger_right" kp="400" ctrlrange="0 {FINGER_TRAVEL}"
 forcerange="-12 12"/>
{arm_actuators}</actuator>
</mujoco>
"""
