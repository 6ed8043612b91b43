"""Export for slides and lecture videos: PNG images, MP4 and GIF animations, trajectory data.

Every export draws a :class:`Race` computed in advance by its own Simulation, so the output
depends only on the scenario, never on timing; and every file is written to a temporary file
in the target folder and renamed into place only when complete (:mod:`.atomic`).

    from optviz.core.scenario import builtin_scenarios, load_scenario
    from optviz.export import AnimationSettings, FrameSpec, Race, export_animation

    race = Race.from_scenario(load_scenario(builtin_scenarios()[0][1]), steps=400)
    export_animation(race, "race.mp4", AnimationSettings(FrameSpec("contour", 1920, 1080), fps=30))

(The app hands its own race over with ``Race.from_model``, which reads the model's fields and
imports nothing of the app.)

Rendering needs a QGuiApplication (the offscreen platform is enough for the 2D view); the
3D views need a QApplication on a platform with OpenGL.
"""

from .errors import ExportCancelled, ExportError
from .frames import MAX_SIDE, MIN_SIDE, VIEWS, FrameRenderer, FrameSpec
from .gl3d import camera_of
from .image import export_image, render_view, render_window, save_png
from .job import AnimationJob, AnimationSettings, export_animation
from .race import Race
from .trajectories import export_csv, export_npz, export_trajectories
from .video import MAX_FPS, check_settings

__all__ = [
    "MAX_FPS", "MAX_SIDE", "MIN_SIDE", "AnimationJob", "AnimationSettings", "ExportCancelled", "ExportError",
    "FrameRenderer", "FrameSpec", "Race", "VIEWS", "camera_of", "check_settings", "export_animation",
    "export_csv", "export_image", "export_npz", "export_trajectories", "render_view", "render_window", "save_png",
]
