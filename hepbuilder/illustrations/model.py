"""The figure model's fixed data: joints and their ranges, body dimensions, props and their sizes.

All lengths are millimetres of an adult 1,700 mm tall (segment lengths after Winter's
anthropometric tables, limbs a little thicker than life so they read at thumbnail size).
All angles are degrees. Nothing here computes anything; kinematics.py, world.py and pose.py read it.
"""

HEIGHT_MM = 1700.0

# Joint families and the degrees of freedom each one has, with the range a pose may use.
# The first entry is the joint's main movement: a pose may give a bare number for it.
JOINT_DOFS: dict[str, dict[str, tuple[float, float]]] = {
    "spine": {
        "flex_deg": (-45.0, 90.0),
        "side_bend_deg": (-50.0, 50.0),
        "rotate_deg": (-60.0, 60.0),
    },
    "neck": {"flex_deg": (-60.0, 70.0), "rotate_deg": (-80.0, 80.0)},
    "hip": {"flex_deg": (-30.0, 150.0), "abduct_deg": (-35.0, 95.0), "rotate_deg": (-60.0, 95.0)},
    "knee": {"flex_deg": (0.0, 160.0)},
    "ankle": {"flex_deg": (-70.0, 40.0), "rotate_deg": (-40.0, 40.0)},  # rotate: + toe out
    "shoulder": {
        "flex_deg": (-70.0, 190.0),
        "abduct_deg": (-30.0, 190.0),
        "rotate_deg": (-90.0, 90.0),
    },
    "elbow": {"flex_deg": (0.0, 155.0)},
    "wrist": {"flex_deg": (-80.0, 80.0)},
}
# Beyond this much abduction the hip must be bent at least HIP_FLEX_FOR_WIDE_ABDUCTION_DEG: a
# straight hip opens sideways only about 45 degrees, a bent one much further (as in 90/90).
HIP_WIDE_ABDUCTION_DEG = 50.0
HIP_FLEX_FOR_WIDE_ABDUCTION_DEG = 30.0
SIDED_JOINTS = ("hip", "knee", "ankle", "shoulder", "elbow", "wrist")
JOINTS: dict[str, str] = {"spine": "spine", "neck": "neck"}
for _family in SIDED_JOINTS:
    JOINTS[f"{_family}_near"] = _family
    JOINTS[f"{_family}_far"] = _family

PELVIS_DOFS: dict[str, tuple[float, float]] = {
    "lean_deg": (-180.0, 180.0),  # about the body's left-right axis; +forward, -90 = supine
    "turn_deg": (-180.0, 180.0),  # about the vertical; + turns the chest toward the near side
    "roll_deg": (-90.0, 90.0),  # about the front-back axis; +90 = lying on the near side
}

# Body segments: drawn limbs, each a tapered capsule from its joint to the next.
LIMBS = tuple(
    f"{limb}_{side}"
    for side in ("near", "far")
    for limb in ("thigh", "shin", "foot", "upper_arm", "forearm", "hand")
)
SEGMENTS = ("torso", "neck", "head", *LIMBS)
# Parts a contact can name: every segment, plus the round ends that bear weight.
CONTACT_PARTS = (
    *SEGMENTS,
    "pelvis",
    "buttock_near",
    "buttock_far",
    "knee_near",
    "knee_far",
    "elbow_near",
    "elbow_far",
)
# Parts drawn only when highlighted (a patch over the torso), besides the segments.
HIGHLIGHT_PARTS = (*SEGMENTS, "buttock_near", "buttock_far")
# Points an arrow can start from.
POINTS = (
    "pelvis",
    "buttock_near",
    "buttock_far",
    "chest",
    "neck_base",
    "head",
    *(
        f"{joint}_{side}"
        for side in ("near", "far")
        for joint in ("hip", "knee", "ankle", "heel", "toe", "shoulder", "elbow", "wrist", "hand")
    ),
)

# Segment lengths (mm).
THIGH_MM = 416.0
SHIN_MM = 419.0
UPPER_ARM_MM = 316.0
FOREARM_MM = 248.0
HAND_MM = 150.0
HIP_HALF_WIDTH_MM = 85.0
SPINE_FROM_HIPS_MM = (-10.0, 110.0)  # spine joint in the pelvis frame (forward, up)
NECK_BASE_MM = 400.0  # up the torso from the spine joint
SHOULDER_MM = (0.0, 345.0, 180.0)  # forward, up, sideways from the spine joint
HEAD_FROM_NECK_MM = (18.0, 170.0)  # head centre from the neck base (forward, up)
HEAD_RADIUS_MM = 112.0
BUTTOCK_MM = (-60.0, -55.0, 72.0)  # centre of each buttock in the pelvis frame (fwd, up, side)
BUTTOCK_RADIUS_MM = 70.0  # reaches the back of the pelvis outline
ANKLE_HEIGHT_MM = 66.0
HEEL_MM = (-45.0, -28.0)  # heel ball centre from the ankle (forward, up), foot frame
TOE_MM = (165.0, -44.0)

# Radii (mm) at the proximal and distal end of each limb.
LIMB_RADII_MM: dict[str, tuple[float, float]] = {
    "thigh": (80.0, 54.0),
    "shin": (52.0, 33.0),
    "foot": (36.0, 22.0),
    "upper_arm": (47.0, 36.0),
    "forearm": (36.0, 26.0),
    "hand": (29.0, 25.0),
    "neck": (50.0, 46.0),
}

# Torso cross-sections: (up, forward, half width, half depth) in mm, first in the pelvis frame
# (origin between the hip joints), then in the chest frame (origin at the spine joint).
PELVIS_LEVELS_MM = (
    (-95.0, -35.0, 100.0, 60.0),
    (-60.0, -30.0, 145.0, 98.0),
    (5.0, -22.0, 160.0, 112.0),
    (95.0, -8.0, 138.0, 100.0),
)
CHEST_LEVELS_MM = (
    (70.0, 6.0, 130.0, 102.0),
    (200.0, 22.0, 155.0, 126.0),
    (300.0, 22.0, 170.0, 128.0),
    (370.0, 2.0, 172.0, 100.0),
    (405.0, -5.0, 110.0, 60.0),
)

VIEWS: dict[str, tuple[float, float]] = {  # view -> (camera yaw, camera pitch)
    "side": (0.0, 0.0),  # from the near side, the figure facing right
    "front": (90.0, 0.0),  # facing the viewer, the near side on the viewer's left
    "top": (0.0, 90.0),  # from above, the near side at the bottom
}

# Props: kind -> {option: (low, high) or a tuple of words}. Heights are the surface a body part
# rests on; `None` defaults mean "fitted to the body part resting on it".
PROP_OPTIONS: dict[str, dict[str, tuple]] = {
    "mat": {"thickness_mm": (5.0, 40.0)},
    "step": {
        "height_mm": (100.0, 450.0),
        "depth_mm": (250.0, 600.0),
        "width_mm": (250.0, 900.0),  # narrow enough for the other foot to hang beside it
        "shift_mm": (-400.0, 400.0),
    },
    "chair": {"height_mm": (380.0, 520.0), "shift_mm": (-300.0, 300.0)},
    "couch": {"height_mm": (350.0, 500.0), "shift_mm": (-400.0, 400.0)},
    "foam-roller": {"diameter_mm": (100.0, 200.0), "shift_mm": (-300.0, 300.0)},
    "massage-ball": {"diameter_mm": (40.0, 130.0), "shift_mm": (-300.0, 300.0)},
    "towel-roll": {"diameter_mm": (50.0, 130.0), "shift_mm": (-300.0, 300.0)},  # a rolled towel
    "wall": {"height_mm": (1200.0, 2400.0)},
    "stick": {"length_mm": (900.0, 1600.0)},  # a broom handle held along the back (hip hinge)
    "band": {
        "around": ("knees", "ankles", "thigh_near", "thigh_far"),
        "post_at_mm": (
            -1500.0,
            1500.0,
        ),  # [forward, toward the near side] from the band on the thigh
    },
    "strap": {"around": ("foot_near", "foot_far")},  # held in both hands, looped over the sole
}
PROP_DEFAULTS: dict[str, dict[str, float]] = {
    "mat": {"thickness_mm": 15.0},
    "step": {"height_mm": 200.0, "depth_mm": 350.0, "width_mm": 600.0, "shift_mm": 0.0},
    "chair": {"height_mm": 450.0, "shift_mm": 0.0},
    "couch": {"height_mm": 420.0, "shift_mm": 0.0},
    "foam-roller": {"diameter_mm": 150.0, "shift_mm": 0.0},
    "massage-ball": {"diameter_mm": 70.0, "shift_mm": 0.0},
    "towel-roll": {"diameter_mm": 80.0, "shift_mm": 0.0},
    "wall": {"height_mm": 1900.0},
    "stick": {"length_mm": 1250.0},
}
STICK_RADIUS_MM = 16.0
SURFACE_KINDS = (
    "floor",
    "step",
    "chair",
    "couch",
    "foam-roller",
    "massage-ball",
    "towel-roll",
    "wall",
)
FITTED_KINDS = ("step", "chair", "couch")  # without height_mm (not the first contact): fitted
ROLL_KINDS = ("foam-roller", "towel-roll")  # props drawn as a cylinder across the body part on them
ROLL_LENGTH_MM = {"foam-roller": 600.0, "towel-roll": 400.0}
PROP_KINDS = tuple(PROP_OPTIONS)

CONTACT_TOLERANCE_MM = 20.0  # a resting part may float or sink this much (about 1 mm on paper)
