"""OpenGL plumbing shared by the parts of the 3D view: draw order, per-item GL state, the
mesh's lighting shader, multisampling, and a scatter item that draws crosses.

Every item states its whole depth/blend set-up (GL state carries over from item to item);
items are drawn in the order of their ``depthValue`` (the ORDER_* constants).
"""

from __future__ import annotations

import os

import pyqtgraph as pg
import pyqtgraph.opengl as gl
from OpenGL import GL
from OpenGL.GL import shaders as gl_shaders
from pyqtgraph.opengl import shaders
from pyqtgraph.opengl.items import GLScatterPlotItem as _scatter_module

#: Multisample anti-aliasing of the mesh silhouette and the paths, on GPUs. Software
#: renderers (Mesa llvmpipe: VMs, Xvfb) skip it: it costs them 2-3x the frame time. The
#: environment variable OPTVIZ_GL_SAMPLES overrides both.
SAMPLES = 4
_SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software", "swiftshader")

# Draw order (GLGraphicsItem.depthValue): the axes' panes and grid, the mesh, the faded
# "hidden" paths, the paths, minima, exit crosses, balls, arrows, labels.
(ORDER_FRAME, ORDER_MESH, ORDER_GHOST, ORDER_PATH, ORDER_MINIMA, ORDER_EXIT, ORDER_BALL,
 ORDER_ARROWS, ORDER_TEXT) = range(-1, 8)

_BLEND = (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
#: The mesh is pushed back in depth so the (lifted) paths win the depth test where visible.
MESH_GL = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: False,
    GL.GL_CULL_FACE: False,
    GL.GL_POLYGON_OFFSET_FILL: True,
    "glPolygonOffset": (1.0, 2.0),
    "glDepthFunc": (GL.GL_LESS,),
    "glDepthMask": (True,),
}
#: The panes behind and under the mesh: depth-tested, pushed back further than the mesh, so
#: a mesh edge lying on a pane always wins.
PANE_GL = {**MESH_GL, "glPolygonOffset": (2.0, 8.0)}
#: The see-through walls under the mesh's edges: tested against the mesh, blended, writing
#: no depth (what lies behind them still shows, muted).
WALL_GL = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: True,
    GL.GL_CULL_FACE: False,
    GL.GL_POLYGON_OFFSET_FILL: False,
    "glBlendFuncSeparate": _BLEND,
    "glDepthFunc": (GL.GL_LEQUAL,),
    "glDepthMask": (False,),
}
#: Visible parts of the paths, the grid lines: depth-tested, blended (antialiased lines).
PATH_GL = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: True,
    GL.GL_CULL_FACE: False,
    GL.GL_POLYGON_OFFSET_FILL: False,
    "glBlendFuncSeparate": _BLEND,
    "glDepthFunc": (GL.GL_LEQUAL,),
    "glDepthMask": (True,),
}
#: The light casing under each path: tested, but writes no depth, so the path drawn on top of
#: it at the same depth is never hidden by it.
CASING_GL = {**PATH_GL, "glDepthMask": (False,)}
#: Always on top: the faded copy of every path (so a path behind a hill stays traceable),
#: the balls, the minimum markers, the arrows and the labels.
OVERLAY_GL = {**PATH_GL, GL.GL_DEPTH_TEST: False}

# Lit with the vertex colours kept: ambient 0.62 plus a two-sided diffuse term from a light
# near the camera, so faces seen head-on keep (almost exactly) the contour colour and steep
# or turned-away faces darken enough to show the shape. (pyqtgraph's 'shaded' shader darkens
# faces that face the viewer to 20 %, which makes the colours unrecognisable.) Top faces
# wind counter-clockwise seen from +z (grid_faces), so gl_FrontFacing tells the top from the
# underside, which is drawn plain light grey.
LIT_SHADER = shaders.ShaderProgram(
    "optviz_lit",
    [
        shaders.VertexShader(
            """
            uniform mat4 u_mvp;
            uniform mat3 u_normal;
            attribute vec4 a_position;
            attribute vec3 a_normal;
            attribute vec4 a_color;
            varying vec4 v_color;
            varying vec3 v_normal;
            void main() {
                v_normal = normalize(u_normal * a_normal);
                v_color = a_color;
                gl_Position = u_mvp * a_position;
            }
            """
        ),
        shaders.FragmentShader(
            """
            #ifdef GL_ES
            precision mediump float;
            #endif
            varying vec4 v_color;
            varying vec3 v_normal;
            void main() {
                vec3 n = normalize(v_normal);
                vec3 light = normalize(vec3(-0.35, 0.55, 1.0));
                float d = abs(dot(n, light));
                float k = 0.62 + 0.42 * d;
                // The underside of the sheet (seen below a funnel or past an edge) is a plain
                // light grey, close to the panes: it never passes for part of the coloured top
                // and never draws the eye.
                vec3 base = gl_FrontFacing ? v_color.rgb : vec3(0.78, 0.78, 0.76);
                gl_FragColor = vec4(min(base * k, vec3(1.0)), v_color.a);
            }
            """
        ),
    ],
)


def rgba(color, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """A colour pyqtgraph understands ('#E69F00', (r, g, b)) as RGBA floats with ``alpha``."""
    r, g, b, _ = pg.mkColor(color).getRgbF()
    return (r, g, b, alpha)


# A cross (×) in each point's colour outlined in the contour map's divergence red: the mark
# of a run that left the surface. Coordinates within the point sprite run over [-1, 1].
_CROSS_FRAGMENT = """
    float d = min(abs(xy.x - xy.y), abs(xy.x + xy.y)) * 0.7071;
    float reach = max(abs(xy.x), abs(xy.y));
    if (d < 0.13 && reach < 0.72) COLOR = v_color;
    else if (d < 0.27 && reach < 0.86) COLOR = vec4(0.784, 0.0, 0.0, v_color.a);
    else discard;
"""


class CrossItem(gl.GLScatterPlotItem):
    """GLScatterPlotItem whose points are crosses (×) outlined in red instead of discs."""

    _crossProgram = None

    @staticmethod
    def getShaderProgram():
        if CrossItem._crossProgram is not None:
            return CrossItem._crossProgram
        from PySide6.QtGui import QOpenGLContext

        ctx = QOpenGLContext.currentContext()
        fmt = ctx.format()
        core = (fmt.version() >= (3, 0)) if ctx.isOpenGLES() else (fmt.version() >= (3, 1))
        if ctx.isOpenGLES():
            version = "#version 300 es\n" if core else "#version 100\n"
        else:
            version = "#version 140\n" if core else "#version 120\n"
        vertex = (_scatter_module.SHADER_CORE if core else _scatter_module.SHADER_LEGACY)[GL.GL_VERTEX_SHADER]
        colour_out = "fragColor" if core else "gl_FragColor"
        fragment = (
            "#ifdef GL_ES\nprecision mediump float;\n#endif\n"
            + ("in vec4 v_color;\nout vec4 fragColor;\n" if core else "varying vec4 v_color;\n")
            + "void main() {\n    vec2 xy = (gl_PointCoord - 0.5) * 2.0;\n"
            + _CROSS_FRAGMENT.replace("COLOR", colour_out)
            + "}\n"
        )
        compiled = [gl_shaders.compileShader([version, vertex], GL.GL_VERTEX_SHADER),
                    gl_shaders.compileShader([version, fragment], GL.GL_FRAGMENT_SHADER)]
        program = gl_shaders.compileProgram(*compiled)
        GL.glBindAttribLocation(program, 0, "a_position")
        GL.glBindAttribLocation(program, 1, "a_color")
        GL.glBindAttribLocation(program, 2, "a_size")
        GL.glLinkProgram(program)
        CrossItem._crossProgram = program
        return program


_renderer_cache: list[str] = []


def gl_renderer() -> str:
    """The OpenGL renderer string (e.g. 'llvmpipe (LLVM 15.0.6, 256 bits)'), probed once with a
    throw-away context; '' when no context can be made."""
    if not _renderer_cache:
        name = ""
        try:
            from PySide6.QtGui import QOffscreenSurface, QOpenGLContext

            ctx, surface = QOpenGLContext(), QOffscreenSurface()
            surface.create()
            if ctx.create() and ctx.makeCurrent(surface):
                raw = GL.glGetString(GL.GL_RENDERER)
                name = raw.decode(errors="replace") if raw else ""
                ctx.doneCurrent()
        except Exception:  # no GL at all: the widget will report it when it is shown
            name = ""
        _renderer_cache.append(name)
    return _renderer_cache[0]


def msaa_samples() -> int:
    """Samples per pixel for the view: OPTVIZ_GL_SAMPLES if set, else SAMPLES on hardware and
    0 on a software renderer."""
    env = os.environ.get("OPTVIZ_GL_SAMPLES", "").strip()
    if env.isdigit():
        return int(env)
    return 0 if any(s in gl_renderer().lower() for s in _SOFTWARE_RENDERERS) else SAMPLES
