"""TensorBoard logging, as PyTorch's ``torch.utils.tensorboard``: a :class:`SummaryWriter` with
PyTorch's names and arguments, writing real event files through tensorboardX (the
``tensorboard`` extra: ``pip install minigrad[tensorboard]``). Read them with ``tensorboard
--logdir runs``.

Only the scalar, histogram and text methods are here; PyTorch's others (images, graphs,
embeddings...) raise NotImplementedError naming themselves, never a silent no-op.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as logdir:
...     with SummaryWriter(logdir) as writer:
...         writer.add_scalar("loss", Tensor(0.5), global_step=1)
...         writer.add_histogram("weights", np.arange(10.0), global_step=1)
...     writer.get_logdir() == logdir
True
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from minigrad.arguments import check_number
from minigrad.tensor import Tensor

EXTRA = "tensorboard"
# PyTorch's SummaryWriter methods minigrad's lacks; each is refused by name when called.
LACKING = (
    "add_audio",
    "add_custom_scalars",
    "add_custom_scalars_marginchart",
    "add_custom_scalars_multilinechart",
    "add_embedding",
    "add_figure",
    "add_graph",
    "add_hparams",
    "add_image",
    "add_image_with_boxes",
    "add_images",
    "add_mesh",
    "add_onnx_graph",
    "add_pr_curve",
    "add_pr_curve_raw",
    "add_video",
)


def _tensorboardx() -> Any:
    try:
        import tensorboardX
    except ImportError as error:
        raise ImportError(
            f"minigrad.utils.tensorboard needs tensorboardX, in minigrad's '{EXTRA}' extra:"
            f" pip install 'minigrad[{EXTRA}]' (or pip install tensorboardX)"
        ) from error
    return tensorboardX


class SummaryWriter:
    """Write scalars, histograms and text into TensorBoard event files under ``log_dir``.

    Parameters are PyTorch's: ``log_dir`` (default ``runs/DATE_TIME_HOST``), ``comment`` (added to
    the default directory's name), ``purge_step``, ``max_queue``, ``flush_secs`` and
    ``filename_suffix``. Usable as a context manager (closed at the end).

    Examples
    --------
    >>> SummaryWriter(max_queue=0)
    Traceback (most recent call last):
    ValueError: SummaryWriter: max_queue must be an integer >= 1, got 0
    """

    def __init__(
        self,
        log_dir: str | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: int = 120,
        filename_suffix: str = "",
    ) -> None:
        call = "SummaryWriter"
        if log_dir is not None and not isinstance(log_dir, str):
            raise TypeError(f"{call}: log_dir must be a str or None, got {type(log_dir).__name__}")
        for name, value in (("comment", comment), ("filename_suffix", filename_suffix)):
            if not isinstance(value, str):
                raise TypeError(f"{call}: {name} must be a str, got {type(value).__name__}")
        if purge_step is not None:
            check_number(call, "purge_step", purge_step, integer=True, at_least=0)
        check_number(call, "max_queue", max_queue, integer=True, at_least=1)
        check_number(call, "flush_secs", flush_secs, above=0)
        self._writer = _tensorboardx().SummaryWriter(
            logdir=log_dir,
            comment=comment,
            purge_step=purge_step,
            max_queue=max_queue,
            flush_secs=flush_secs,
            filename_suffix=filename_suffix,
        )
        self.log_dir: str = self._writer.logdir
        self.closed = False

    def get_logdir(self) -> str:
        """The directory the event files are written to.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as logdir, SummaryWriter(logdir) as writer:
        ...     writer.get_logdir() == logdir
        True
        """
        return self.log_dir

    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
    ) -> None:
        """Log one number (a Python or NumPy number, or a one-element Tensor) under ``tag``.

        ``new_style`` and ``double_precision`` (PyTorch's tensor-valued summaries) are refused
        if set: tensorboardX writes the classic float summary.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as logdir, SummaryWriter(logdir) as writer:
        ...     writer.add_scalar("loss", "low")
        Traceback (most recent call last):
        TypeError: SummaryWriter.add_scalar: scalar_value must be a number or a one-element Tensor, got str
        """
        call = "SummaryWriter.add_scalar"
        self._check_open(call)
        for name, flag in (("new_style", new_style), ("double_precision", double_precision)):
            if flag is not False:
                raise NotImplementedError(
                    f"{call}: {name}={flag!r} is not supported by minigrad's SummaryWriter; leave it False"
                )
        value = _scalar(call, "scalar_value", scalar_value)
        self._writer.add_scalar(_tag(call, tag), value, _step(call, global_step), _walltime(call, walltime))

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: Mapping[str, Any],
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Log several numbers on one chart: ``{name: value}`` under ``main_tag``, each into a run of
        its own, ``log_dir/main_tag/name`` (tensorboardX's layout; PyTorch's is ``main_tag_name``).

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as logdir, SummaryWriter(logdir) as writer:
        ...     writer.add_scalars("loss", [0.5])
        Traceback (most recent call last):
        TypeError: SummaryWriter.add_scalars: tag_scalar_dict must be a dict of tag -> number, got list
        """
        call = "SummaryWriter.add_scalars"
        self._check_open(call)
        if not isinstance(tag_scalar_dict, Mapping):
            raise TypeError(
                f"{call}: tag_scalar_dict must be a dict of tag -> number, got {type(tag_scalar_dict).__name__}"
            )
        values = {
            _tag(call, name): _scalar(call, f"tag_scalar_dict[{name!r}]", v) for name, v in tag_scalar_dict.items()
        }
        self._writer.add_scalars(_tag(call, main_tag), values, _step(call, global_step), _walltime(call, walltime))

    def add_histogram(
        self,
        tag: str,
        values: Any,
        global_step: int | None = None,
        bins: str | int = "tensorflow",
        walltime: float | None = None,
        max_bins: int | None = None,
    ) -> None:
        """Log the distribution of ``values`` (a Tensor or array): ``bins`` is 'tensorflow' (its
        exponential buckets, PyTorch's default), a number of equal bins, or NumPy's bin rule name.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as logdir, SummaryWriter(logdir) as writer:
        ...     writer.add_histogram("w", np.array([1.0, np.nan]))
        Traceback (most recent call last):
        ValueError: SummaryWriter.add_histogram: values must be finite, got 1 NaN or infinite of 2
        """
        call = "SummaryWriter.add_histogram"
        self._check_open(call)
        array = values.numpy() if isinstance(values, Tensor) else values
        if not isinstance(array, (np.ndarray, numbers.Real, Sequence)) or isinstance(array, (str, bytes)):
            raise TypeError(f"{call}: values must be a Tensor or an array of numbers, got {type(values).__name__}")
        array = np.asarray(array, dtype=np.float64)
        if array.size == 0:
            raise ValueError(f"{call}: values must not be empty")
        bad = int(np.count_nonzero(~np.isfinite(array)))
        if bad:
            raise ValueError(f"{call}: values must be finite, got {bad} NaN or infinite of {array.size}")
        if isinstance(bins, bool) or not isinstance(bins, (str, numbers.Integral)):
            raise TypeError(
                f"{call}: bins must be 'tensorflow', a NumPy rule name or an int, got {type(bins).__name__}"
            )
        if isinstance(bins, numbers.Integral):
            check_number(call, "bins", bins, integer=True, at_least=1)
        if max_bins is not None:
            check_number(call, "max_bins", max_bins, integer=True, at_least=1)
        self._writer.add_histogram(
            _tag(call, tag), array, _step(call, global_step), bins, _walltime(call, walltime), max_bins
        )

    def add_histogram_raw(
        self,
        tag: str,
        min: float,
        max: float,
        num: int,
        sum: float,
        sum_squares: float,
        bucket_limits: Any,
        bucket_counts: Any,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Log a histogram already binned: ``bucket_counts[i]`` values fell at or below
        ``bucket_limits[i]`` (and above the previous limit), with the values' moments.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as logdir, SummaryWriter(logdir) as writer:
        ...     writer.add_histogram_raw("h", 0.0, 1.0, 3, 1.0, 1.0, [0.5, 1.0], [2, 2])
        Traceback (most recent call last):
        ValueError: SummaryWriter.add_histogram_raw: the bucket_counts sum to 4, but num is 3
        """
        call = "SummaryWriter.add_histogram_raw"
        self._check_open(call)
        limits, counts = np.asarray(bucket_limits, dtype=np.float64), np.asarray(bucket_counts)
        if limits.ndim != 1 or limits.shape != counts.shape or limits.size == 0:
            raise ValueError(
                f"{call}: bucket_limits and bucket_counts must be two non-empty lists of one length,"
                f" got shapes {limits.shape} and {counts.shape}"
            )
        check_number(call, "num", num, integer=True, at_least=0)
        for name, value in (("min", min), ("max", max), ("sum", sum), ("sum_squares", sum_squares)):
            check_number(call, name, value)
        if int(counts.sum()) != num:
            raise ValueError(f"{call}: the bucket_counts sum to {int(counts.sum())}, but num is {num}")
        self._writer.add_histogram_raw(
            _tag(call, tag),
            float(min),
            float(max),
            int(num),
            float(sum),
            float(sum_squares),
            limits.tolist(),
            counts.tolist(),
            _step(call, global_step),
            _walltime(call, walltime),
        )

    def add_text(
        self, tag: str, text_string: str, global_step: int | None = None, walltime: float | None = None
    ) -> None:
        """Log a piece of text (TensorBoard renders it as Markdown).

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as logdir, SummaryWriter(logdir) as writer:
        ...     writer.add_text("notes", 3)
        Traceback (most recent call last):
        TypeError: SummaryWriter.add_text: text_string must be a str, got int
        """
        call = "SummaryWriter.add_text"
        self._check_open(call)
        if not isinstance(text_string, str):
            raise TypeError(f"{call}: text_string must be a str, got {type(text_string).__name__}")
        self._writer.add_text(_tag(call, tag), text_string, _step(call, global_step), _walltime(call, walltime))

    def flush(self) -> None:
        """Write what is queued to disk now.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as logdir, SummaryWriter(logdir) as writer:
        ...     writer.flush()
        """
        self._check_open("SummaryWriter.flush")
        self._writer.flush()

    def close(self) -> None:
        """Flush and close the event files; later writes are refused (closing twice is harmless).

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as logdir:
        ...     writer = SummaryWriter(logdir)
        ...     writer.close()
        ...     writer.add_scalar("loss", 1.0)
        Traceback (most recent call last):
        RuntimeError: SummaryWriter.add_scalar: the writer is closed
        """
        if not self.closed:
            self._writer.close()
            self.closed = True

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        if name in LACKING:
            raise NotImplementedError(
                f"SummaryWriter.{name} is not supported by minigrad's SummaryWriter (it has add_scalar,"
                " add_scalars, add_histogram, add_histogram_raw, add_text, flush and close)"
            )
        raise AttributeError(f"'SummaryWriter' object has no attribute {name!r}")

    def _check_open(self, call: str) -> None:
        if self.closed:
            raise RuntimeError(f"{call}: the writer is closed")


def _tag(call: str, tag: Any) -> str:
    if not isinstance(tag, str) or not tag:
        raise TypeError(f"{call}: tag must be a non-empty str, got {type(tag).__name__} {tag!r}")
    return tag


def _step(call: str, global_step: Any) -> int | None:
    if global_step is None:
        return None
    return int(check_number(call, "global_step", global_step, integer=True, at_least=0))


def _walltime(call: str, walltime: Any) -> float | None:
    return None if walltime is None else float(check_number(call, "walltime", walltime, at_least=0))


def _scalar(call: str, name: str, value: Any) -> float:
    """A loggable number: NaN and infinities pass (TensorBoard draws them), as PyTorch's."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(f"{call}: {name} must be a one-element Tensor, got shape {value.shape}")
        return float(value.item())
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{call}: {name} must be a number or a one-element Tensor, got {type(value).__name__}")
    return float(value)
