"""The FaceAnimation servicer: each method translates and delegates; Animate also admits its session
(SessionAccounting does what its end leaves behind). Every error ends a call through abort_with."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from typing import TypeVar

import grpc

from runtime.arkit import BLENDSHAPE_NAMES, VISEME_NAMES
from runtime.audio.constants import MAX_INPUT_SAMPLE_RATE, MIN_INPUT_SAMPLE_RATE
from runtime.defaults import DEFAULT_FPS, MAX_FPS, MIN_FPS
from runtime.errors import LimitExceededError
from runtime.face.avatar_store import AvatarStore
from runtime.motion.mouth_models import MOUTH_MODELS
from runtime.version import package_version
from service import convert
from service.animate import AnimateSession
from service.api import animate_pb2, avatar_pb2, face_animation_pb2, face_animation_pb2_grpc
from service.auth import key_fingerprint
from service.engine_process import EngineProcess
from service.engine_scheduler import EngineScheduler
from service.errors import StreamError, abort_with, status_for
from service.log import get_logger
from service.metrics import Metrics
from service.render_processes import RenderProcesses
from service.renderers import RendererCache
from service.session_accounting import SessionAccounting
from service.sessions import SessionRegistry
from service.settings import ServerSettings

log = get_logger("facecast.session")
T = TypeVar("T")


class FaceAnimationServicer(face_animation_pb2_grpc.FaceAnimationServicer):
    def __init__(self, settings: ServerSettings, executor: Executor, sessions: SessionRegistry,
                 avatars: AvatarStore, metrics: Metrics) -> None:
        self._settings = settings
        self._metrics = metrics
        self._executor = executor
        self._sessions = sessions
        self._avatars = avatars
        count = settings.render_process_count
        processes = RenderProcesses(count, settings.render_threads) if count else None
        self.renderers = RendererCache(self._executor, device=settings.device, batches=settings.render_batches,
                                       processes=processes, on_batch=metrics.render_batch_frames.observe)
        # One engine for every session of this process, on its event loop or in a worker process.
        self.engine: EngineScheduler | EngineProcess = EngineProcess() if settings.engine_process else EngineScheduler()

    async def Animate(self, request_iterator: AsyncIterator[animate_pb2.AnimateRequest],
                      context: grpc.aio.ServicerContext) -> AsyncIterator[animate_pb2.AnimateResponse]:
        try:
            record = self._sessions.open(context.peer(), key_fingerprint(context.invocation_metadata()))
        except (StreamError, LimitExceededError) as refusal:  # draining, or at capacity
            log.warning("session_refused", peer=context.peer(), reason=str(refusal))
            await abort_with(context, refusal, self._metrics, "Animate", unread_requests=request_iterator)
        session = AnimateSession(record.session_id, self._settings, self._executor, self._settings.mouth_model,
                                 self._avatars, self.renderers, self._metrics, self.engine)
        record.figures = session.figures
        failure: StreamError | None = None
        with SessionAccounting(record, session, self._sessions, self._metrics, self._settings.max_session_s) as account:
            try:
                async for response in session.run(request_iterator):
                    yield response
            except Exception as error:  # noqa: BLE001 - every error becomes a status, none escapes
                failure = account.failed(error)
        if failure is not None:  # aborted outside the except clause: no runtime traceback chained to it
            await abort_with(context, failure, self._metrics, "Animate")

    async def GetCapabilities(self, request: face_animation_pb2.GetCapabilitiesRequest,
                              context: grpc.aio.ServicerContext) -> face_animation_pb2.GetCapabilitiesResponse:
        default_mouth = self._settings.mouth_model
        return face_animation_pb2.GetCapabilitiesResponse(
            server_version=package_version(),
            blendshape_names=BLENDSHAPE_NAMES,
            viseme_names=VISEME_NAMES,
            min_fps=MIN_FPS, max_fps=MAX_FPS, default_fps=DEFAULT_FPS,
            min_sample_rate_hz=MIN_INPUT_SAMPLE_RATE, max_sample_rate_hz=MAX_INPUT_SAMPLE_RATE,
            audio_encodings=[animate_pb2.AUDIO_ENCODING_PCM_S16LE, animate_pb2.AUDIO_ENCODING_FLOAT32LE],
            outputs=[animate_pb2.OUTPUT_LATENTS, animate_pb2.OUTPUT_FRAMES, animate_pb2.OUTPUT_LATENTS_AND_FRAMES],
            mouth_models=[default_mouth, *(name for name in MOUTH_MODELS if name != default_mouth)],
            max_message_bytes=self._settings.max_message_bytes,
            max_audio_chunk_s=self._settings.max_audio_chunk_s,
            avatars_supported=True,
        )

    async def CreateAvatar(self, request: avatar_pb2.CreateAvatarRequest,
                           context: grpc.aio.ServicerContext) -> avatar_pb2.CreateAvatarResponse:
        if len(request.image) > self._settings.max_image_bytes:
            too_big = LimitExceededError(f"the image has {len(request.image)} bytes; "
                                         f"the limit is {self._settings.max_image_bytes}")
            await abort_with(context, too_big, self._metrics, "CreateAvatar")
        avatar, warnings = await self._run(context, "CreateAvatar", self._avatars.create, request.image,
                                           request.display_name)
        log.info("avatar_created", avatar_id=avatar.avatar_id, width=avatar.width, height=avatar.height)
        # Its renderer at the default framing is built now, in the background (about a second), so
        # the first session that renders it does not wait for it.
        self.renderers.warm(avatar)
        return avatar_pb2.CreateAvatarResponse(avatar=convert.avatar(avatar), warnings=warnings)

    async def GetAvatar(self, request: avatar_pb2.GetAvatarRequest,
                        context: grpc.aio.ServicerContext) -> avatar_pb2.GetAvatarResponse:
        avatar = await self._run(context, "GetAvatar", self._avatars.get, request.avatar_id)
        return avatar_pb2.GetAvatarResponse(avatar=convert.avatar(avatar))

    async def ListAvatars(self, request: avatar_pb2.ListAvatarsRequest,
                          context: grpc.aio.ServicerContext) -> avatar_pb2.ListAvatarsResponse:
        avatars = await self._run(context, "ListAvatars", self._avatars.list)
        return avatar_pb2.ListAvatarsResponse(avatars=[convert.avatar(avatar) for avatar in avatars])

    async def DeleteAvatar(self, request: avatar_pb2.DeleteAvatarRequest,
                           context: grpc.aio.ServicerContext) -> avatar_pb2.DeleteAvatarResponse:
        await self._run(context, "DeleteAvatar", self._avatars.delete, request.avatar_id)
        log.info("avatar_deleted", avatar_id=request.avatar_id)
        return avatar_pb2.DeleteAvatarResponse()

    async def _run(self, context: grpc.aio.ServicerContext, method: str, work: Callable[..., T], *args: object) -> T:
        """Store work (file I/O, face analysis) on the executor; errors become status codes."""
        failure: Exception | None = None
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)
        except Exception as error:  # noqa: BLE001 - every error becomes a status, none escapes
            failure = error
            if status_for(error)[0] is grpc.StatusCode.INTERNAL:
                log.exception("avatar_call_failed")
        await abort_with(context, failure, self._metrics, method)
