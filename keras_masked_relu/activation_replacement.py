"""Putting other activations into existing Sequential and functional models.

`replace_activations(model, make_layer)` returns a copy of a Keras model in
which chosen activations, whether standalone layers (`ReLU`, `Activation`, ...)
or fused into one of Keras's layers (`Conv2D(..., activation="relu")`), are
replaced by the layers that `make_layer` returns, such as a `MaskedReLU`. The
original model is left as it is.
"""

import dataclasses
import functools
import inspect
import warnings

import keras

from keras_masked_relu.feature_pyramid_model import FeaturePyramidModel

# Standalone activation layers other than `Activation`, and the activation
# name each one counts as.
_ACTIVATION_LAYERS = (
    (keras.layers.ReLU, "relu"),
    (keras.layers.LeakyReLU, "leaky_relu"),
    (keras.layers.ELU, "elu"),
    (keras.layers.PReLU, "prelu"),
)

# Names that only a layer has, with no activation function of that name.
_LAYER_ONLY_NAMES = ("prelu",)

_NOT_ACTIVATIONS = ("get", "serialize", "deserialize")


@functools.cache
def _keras_activations():
    """Pairs `(function, name)` of Keras's activations, under their canonical names.

    Computed on first use: `keras.activations.serialize` imports TensorFlow
    when it is installed, whatever the backend."""
    pairs = []
    for attribute in dir(keras.activations):
        function = getattr(keras.activations, attribute)
        if attribute.startswith("_") or attribute in _NOT_ACTIVATIONS or not callable(function):
            continue
        name = keras.activations.serialize(function)
        if isinstance(name, str):
            pairs.append((function, name))
    return pairs


def _activation_name(function):
    """The canonical name of a Keras activation function, or `None` for any other callable."""
    for known, name in _keras_activations():
        if function is known:
            return name
    return None


@dataclasses.dataclass(frozen=True)
class ActivationSite:
    """Where an activation sits in the model that `replace_activations` rewrites.

    `make_layer(original, site)` receives it, so that a replacement can depend on
    the place: a spatial mask only where the input is an image, say.

    Attributes:
        path: The layer's name after the names of the models that hold it,
            joined by `"/"` (`"backbone/conv1_relu"`); for a fused activation,
            the path of the layer it is fused into.
        fused_into: The layer of the original model that the activation is
            fused into (a `Conv2D(..., activation="relu")`), or `None` for a
            standalone activation layer.
        input_shape: The shape of the activation's input, batch axis first,
            `None` for sizes known only at run time; `None` if the layer was
            never called.

    Example:
    >>> import keras
    >>> from keras_masked_relu import MaskedReLU, replace_activations
    >>> from keras_masked_relu.regions import Circle
    >>> inputs = keras.Input((8, 8, 1))
    >>> h = keras.layers.Conv2D(2, 3, activation="relu", name="conv")(inputs)
    >>> h = keras.layers.Dense(4, activation="relu", name="dense")(keras.layers.Flatten()(h))
    >>> model = keras.Model(inputs, h)
    >>> def make_layer(original, site):
    ...     if len(site.input_shape) != 4:  # not an image: keep the activation
    ...         return None
    ...     return MaskedReLU(Circle((0.5, 0.5), 0.4, relative=True), shift=0.2)
    >>> new_model = replace_activations(model, make_layer)
    >>> [layer.__class__.__name__ for layer in new_model.layers]
    ['InputLayer', 'Conv2D', 'MaskedReLU', 'Flatten', 'Dense']
    """

    path: str
    fused_into: object = None
    input_shape: tuple = None

    def __str__(self):
        text = f"'{self.path}'"
        if self.fused_into is not None:
            text += f" (fused into {type(self.fused_into).__name__} '{self.fused_into.name}')"
        if self.input_shape is not None:
            text += f", input shape {self.input_shape}"
        return text


def replace_activations(model, make_layer, *, activations=("relu",), strict=False):
    """Returns a copy of a model with chosen activations replaced by other layers.

    Every activation of `model` named in `activations` is replaced by the layer
    that `make_layer` returns for it:

    - Standalone activation layers: `keras.layers.Activation(name)`, and
      `keras.layers.ReLU` (which counts as `"relu"` whatever its `max_value`,
      `negative_slope` and `threshold`, so MobileNetV2's `ReLU(6.0)` is one),
      `LeakyReLU` (`"leaky_relu"`), `ELU` (`"elu"`) and `PReLU` (`"prelu"`).
      The replacement takes the layer's place.
    - Activations fused into one of Keras's own layers with an `activation`
      argument, such as `Conv2D(..., activation="relu")`, `Dense`,
      `SeparableConv2D`, `DepthwiseConv2D` or `EinsumDense`. The layer is
      kept, with its name and weights and its activation set to `"linear"`,
      and the replacement is called right after it. A layer of another
      package is never taken for one, even when its config has an
      `"activation"` entry.

    An activation that cannot be reached is never skipped in silence: one held
    inside a layer that is not a Keras model (a custom block's sublayer, or an
    `activation` that a layer applies inside its `call`, as keras-hub's
    `FeaturePyramid` does), or running inside a recurrence (`keras.layers.RNN`).
    Such a block is copied as it is, and a warning names each of these
    activations by path; with `strict=True` they raise a `ValueError` instead.
    (A block cannot be rewritten in general: it is saved as its config and
    rebuilt from it, which would bring back the original sublayers.)

    `make_layer` is called once per matching layer object (a shared layer is
    replaced by one shared replacement), in the order of `model.layers`, the
    layers of a nested model in its place. It receives a fresh copy of the
    original activation layer (same config, built and with the same weights),
    or for a fused activation a new `keras.layers.Activation(name)` with the
    fused layer's dtype policy, named `"<layer name>_<name>"`. The copy belongs
    to nobody: the replacement may use it, as in
    `MaskedActivation(mask, inside="relu", outside=original)`, which keeps the
    original rule outside the mask. When `make_layer` has a parameter named
    `site`, or a second parameter without a default, it also receives an
    `ActivationSite`: the activation's path, the layer it is fused into and
    its input's shape. `make_layer` returns a Keras layer, or `None` to keep
    that activation as it is. An error raised by `make_layer`, or by its
    layer when it is called in the new model, names the site.

    Sequential and functional models are rewritten, nested models (a backbone
    used as a layer) included, with every other layer rebuilt from its config
    and given a copy of its weights: the new model shares no layer or variable
    with `model`, which is not changed. Layers called several times stay
    shared, their calls' other arguments (such as `training`) are kept, and a
    compiled functional or Sequential model's compile config is copied (with a
    new optimizer), as `keras.models.clone_model` does. Each model keeps its
    name and `trainable` flag; the rewritten models are plain Sequential and
    functional models, whatever their class was, but for a model with
    keras-hub's `pyramid_outputs` (a `FeaturePyramidBackbone` such as
    `ResNetBackbone`): it becomes a `FeaturePyramidModel`, which keeps them,
    so that a `DeepLabV3Backbone` or `RetinaNetBackbone` can be built on it.

    Names: a replacement keeps its own name unless another layer of the same
    model (a kept layer, or an earlier replacement) already has it; then it is
    renamed `"<name>_1"`, `"<name>_2"`, ... (Keras needs unique layer names
    within a model). A standalone layer's name is free once it is replaced, so
    `make_layer` may return `MaskedReLU(..., name=original.name)`.

    Args:
        model: A Sequential or functional `keras.Model`.
        make_layer: A callable `make_layer(original)` or
            `make_layer(original, site)` returning a Keras layer or `None`,
            called with the copy of each matching activation layer (and its
            `ActivationSite`).
        activations: The activations to replace: a sequence of names, each
            a Keras activation name (`"relu"`, `"relu6"`, `"silu"`, ...; an
            alias such as `"swish"` means the same function as `"silu"`) or
            `"prelu"`. A single string means that one name. Defaults to
            `("relu",)`.
        strict: If `True`, an activation of `activations` that cannot be
            reached raises a `ValueError`; if `False` (the default), a warning
            names it.

    Returns:
        A new model of the same kind (Sequential or functional) and name.

    Raises:
        TypeError: If `model` is not a `keras.Model`, `make_layer` is not
            callable or returns something other than a Keras layer or `None`,
            or `activations` is not a string or a sequence of strings.
        ValueError: If `model` (or a model nested in it) is a subclassed
            model, `activations` is empty or names an unknown activation or
            `"linear"`, `make_layer` returns a layer of `model` itself, or
            `strict` is `True` and an activation cannot be reached.

    Example:
    >>> import keras
    >>> from keras_masked_relu import MaskedReLU, replace_activations
    >>> from keras_masked_relu.regions import Circle
    >>> inputs = keras.Input((8, 8, 1))
    >>> x = keras.layers.Conv2D(2, 3, activation="relu", name="conv")(inputs)
    >>> model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x))
    >>> fov = Circle((0.5, 0.5), 0.4, relative=True)
    >>> new_model = replace_activations(model, lambda original: MaskedReLU(fov, shift=0.5))
    >>> [layer.__class__.__name__ for layer in new_model.layers]
    ['InputLayer', 'Conv2D', 'MaskedReLU', 'GlobalAveragePooling2D']
    >>> new_model.get_layer("conv").activation.__name__
    'linear'
    >>> model.get_layer("conv").activation.__name__
    'relu'
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            "`model` must be a Sequential or functional `keras.Model`. "
            f"Received: model={model!r} of type {type(model).__name__}"
        )
    if not callable(make_layer):
        raise TypeError(
            "`make_layer` must be a callable that takes a layer and returns a Keras "
            f"layer or None. Received: make_layer={make_layer!r}"
        )
    names = _standardize_activations(activations)
    if not isinstance(strict, bool):
        raise TypeError(f"`strict` must be a bool. Received: strict={strict!r}")
    rewriter = _Rewriter(make_layer, names, _all_layer_ids(model))
    new_model = rewriter.rewrite(model)
    if rewriter.unreachable:
        found = "\n".join(f"  - {where}" for where in rewriter.unreachable)
        message = (
            f"replace_activations cannot reach {len(rewriter.unreachable)} of the activations "
            f"{sorted(names)}: they are held inside layers that are not Keras models (a block "
            f"is saved as its config and rebuilt from it, so its sublayers cannot be "
            f"swapped), or run inside a recurrence. They stay as they are:\n{found}"
        )
        if strict:
            raise ValueError(f"{message}\nReceived: strict=True")
        warnings.warn(f"{message}\nPass strict=True to make this an error.", stacklevel=2)
    return new_model


def _standardize_activations(activations):
    """The canonical names in `activations`, as a frozenset."""
    if isinstance(activations, str):
        activations = (activations,)
    if not isinstance(activations, (list, tuple, set, frozenset)):
        raise TypeError(
            "`activations` must be a sequence of activation names, such as ('relu',). "
            f"Received: activations={activations!r} of type {type(activations).__name__}"
        )
    if not activations:
        raise ValueError(
            "`activations` must name at least one activation. "
            f"Received: activations={activations!r}"
        )
    names = set()
    for value in activations:
        if not isinstance(value, str):
            raise TypeError(
                "`activations` must hold activation names (strings). "
                f"Received: activations={activations!r}"
            )
        if value in _LAYER_ONLY_NAMES:
            names.add(value)
            continue
        try:
            name = _activation_name(keras.activations.get(value))
        except (ValueError, TypeError):
            name = None
        if name is None:
            raise ValueError(
                f"`activations` holds {value!r}, which is not a Keras activation name "
                f"(such as 'relu', 'relu6', 'elu', 'leaky_relu', 'silu') or 'prelu'. "
                f"Received: activations={activations!r}"
            )
        if name == "linear":
            raise ValueError(
                "`activations` cannot hold 'linear': it is the absence of an activation. "
                f"Received: activations={activations!r}"
            )
        names.add(name)
    return frozenset(names)


def _is_functional(model):
    # Keras's functional models are the models that are also a `keras.Function`.
    return isinstance(model, keras.Function)


def _sublayers(model):
    """The layers of a Sequential or functional model, input layers left out."""
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def _all_layer_ids(model, found=None):
    """The ids of `model`'s layers and of those of the models nested in it."""
    found = set() if found is None else found
    if isinstance(model, keras.Model) and (
        _is_functional(model) or isinstance(model, keras.Sequential)
    ):
        for layer in model.layers:
            if id(layer) not in found:
                found.add(id(layer))
                _all_layer_ids(layer, found)
    return found


def _is_keras_class(layer):
    """Whether `layer` is an instance of one of Keras's own layer classes."""
    return type(layer).__module__.split(".")[0] == "keras"


def _site_argument(make_layer):
    """How `make_layer` takes a `site`: `"keyword"` (a parameter of that name),
    `"positional"` (a second positional parameter without a default), or `None`."""
    try:
        parameters = list(inspect.signature(make_layer).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.name == "site" for p in parameters):
        return "keyword"
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return "positional"
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= 2 and positional[1].default is inspect.Parameter.empty:
        return "positional"
    return None


def _first_shape(layer, attribute):
    """The shape of a layer's first input or output, or `None` if it has none."""
    try:
        tensors = keras.tree.flatten(getattr(layer, attribute))
    except (AttributeError, ValueError):
        return None
    return tuple(tensors[0].shape) if len(tensors) == 1 else None


def _raise_naming_site(error, what, site):
    """Raises `error` again, of its type where it can be, with the site in its message."""
    message = f"{what} for the activation at {site}: {error}"
    try:
        renamed = type(error)(message)
    except Exception:
        error.add_note(message)
        raise error from None
    raise renamed from error


def _copy_layer(layer, **overrides):
    """A new layer from `layer`'s config (with `overrides`), not yet given weights."""
    config = layer.get_config()
    config.update(overrides)
    return layer.__class__.from_config(config)


def _copy_weights(source, target):
    """Gives `target` (built here if needed) a copy of `source`'s weights."""
    if not source.weights:
        return
    if not target.built:
        build_config = source.get_build_config()
        if build_config is not None:
            target.build_from_config(build_config)
    target.set_weights(source.get_weights())


def _unique_name(name, used):
    if name not in used:
        return name
    index = 1
    while f"{name}_{index}" in used:
        index += 1
    return f"{name}_{index}"


class _Rewriter:
    """Rewrites one model, and the models nested in it, sharing one cache."""

    def __init__(self, make_layer, names, original_ids):
        self.make_layer = make_layer
        self.site_argument = _site_argument(make_layer)
        self.names = names
        self.original_ids = original_ids
        # Where each activation that cannot be reached sits, in the order found.
        self.unreachable = []
        # id of a replacement -> its site, to name it in errors.
        self.sites = {}
        # id of an original layer -> its counterpart in the new model.
        self.copies = {}
        # id of an original layer -> ("standalone" | "fused", replacement or None).
        self.replacements = {}
        # (original, copy) pairs whose weights are copied once the new model is built.
        self.weight_pairs = []
        self.named = set()  # ids of replacements already given their name

    def rewrite(self, model, prefix=""):
        if id(model) in self.copies:
            return self.copies[id(model)]
        if not (_is_functional(model) or isinstance(model, keras.Sequential)):
            raise ValueError(
                "`model` must be a Sequential or functional model (a subclassed model's "
                "layers cannot be rewired), and so must every model nested in it. "
                f"Received: model={model!r} of type {type(model).__name__}"
            )
        outer_pairs, self.weight_pairs = self.weight_pairs, []
        layers = _sublayers(model)
        for layer in layers:
            self._plan(layer, prefix)
        self._name_replacements(layers)
        if isinstance(model, keras.Sequential):
            new_model = self._rewrite_sequential(model, layers)
        else:
            new_model = self._rewrite_functional(model)
        for source, target in self.weight_pairs:
            _copy_weights(source, target)
        self.weight_pairs = outer_pairs
        if not model.trainable:
            new_model.trainable = False
        self.copies[id(model)] = new_model
        return new_model

    # Planning, in `model.layers` order: this is where `make_layer` is called.

    def _plan(self, layer, prefix):
        key = id(layer)
        if key in self.copies or key in self.replacements:
            return
        path = f"{prefix}{layer.name}"
        if isinstance(layer, keras.Model):
            self.rewrite(layer, prefix=f"{path}/")
            return
        name = self._standalone_name(layer)
        if name is not None and name in self.names:
            site = ActivationSite(path, None, _first_shape(layer, "input"))
            replacement = self._replacement(layer, _fresh_copy(layer), site)
            self.replacements[key] = ("standalone", replacement)
            if replacement is None:
                self._keep(layer)
            return
        name = self._fused_name(layer)
        if name is not None and name in self.names:
            original = keras.layers.Activation(
                name, dtype=layer.dtype_policy, name=f"{layer.name}_{name}"
            )
            site = ActivationSite(path, layer, _first_shape(layer, "output"))
            replacement = self._replacement(layer, original, site)
            if replacement is None:
                self._keep(layer)
            else:
                self.replacements[key] = ("fused", replacement)
                self.copies[key] = _copy_layer(layer, activation="linear")
                self.weight_pairs.append((layer, self.copies[key]))
            return
        self.unreachable += self._hidden(layer, path)
        self._keep(layer)

    def _hidden(self, layer, path):
        """Where the activations of `names` sit inside a layer that is kept whole."""
        found = []
        own = getattr(layer, "activation", None)
        name = _activation_name(own) if callable(own) else None
        if name in self.names and self._standalone_name(layer) is None:
            found.append(f"'{path}': {type(layer).__name__} applies {name!r} inside its call")
        if isinstance(layer, keras.layers.RNN):
            return found  # its cell holds that same activation
        for sublayer in getattr(layer, "_layers", ()):
            sub_path = f"{path}/{sublayer.name}"
            name = self._standalone_name(sublayer) or self._fused_name(sublayer)
            if name in self.names:
                found.append(
                    f"'{sub_path}': {type(sublayer).__name__} ({name!r}) held by "
                    f"{type(layer).__name__} '{layer.name}'"
                )
            else:
                found += self._hidden(sublayer, sub_path)
        return found

    def _keep(self, layer):
        self.copies[id(layer)] = _copy_layer(layer)
        self.weight_pairs.append((layer, self.copies[id(layer)]))

    @staticmethod
    def _standalone_name(layer):
        if isinstance(layer, keras.layers.Activation):
            return _activation_name(layer.activation)
        for layer_class, name in _ACTIVATION_LAYERS:
            if isinstance(layer, layer_class):
                return name
        return None

    @staticmethod
    def _fused_name(layer):
        if (
            not _is_keras_class(layer)
            or isinstance(layer, keras.layers.RNN)
            or "activation" not in layer.get_config()
        ):
            return None
        activation = getattr(layer, "activation", None)
        return _activation_name(activation) if callable(activation) else None

    def _replacement(self, layer, original, site):
        try:
            if self.site_argument == "keyword":
                replacement = self.make_layer(original, site=site)
            elif self.site_argument == "positional":
                replacement = self.make_layer(original, site)
            else:
                replacement = self.make_layer(original)
        except Exception as error:
            _raise_naming_site(error, "`make_layer` failed", site)
        if replacement is None:
            return None
        if not isinstance(replacement, keras.layers.Layer):
            raise TypeError(
                "`make_layer` must return a Keras layer or None. "
                f"Received: make_layer returned {replacement!r} of type "
                f"{type(replacement).__name__} for layer '{layer.name}', with "
                f"make_layer={self.make_layer!r}"
            )
        if id(replacement) in self.original_ids:
            raise ValueError(
                "`make_layer` must return a new layer, not a layer of `model`: the new "
                f"model would share it with the original. Received: make_layer returned "
                f"layer '{replacement.name}' of `model` for layer '{layer.name}'"
            )
        self.sites[id(replacement)] = site
        return replacement

    def _name_replacements(self, layers):
        """Renames the replacements whose names clash in this model."""
        used = set()
        for layer in layers:
            kind, replacement = self.replacements.get(id(layer), (None, None))
            if kind != "standalone" or replacement is None:
                used.add(layer.name)
        for layer in layers:
            kind, replacement = self.replacements.get(id(layer), (None, None))
            if replacement is None:
                continue
            if id(replacement) not in self.named:
                replacement.name = _unique_name(replacement.name, used)
                self.named.add(id(replacement))
            used.add(replacement.name)

    # Building the new model.

    def _call_naming_site(self, layer, *args, **kwargs):
        """Calls `layer`; an error of a replacement names its site."""
        try:
            return layer(*args, **kwargs)
        except Exception as error:
            if id(layer) not in self.sites:
                raise
            _raise_naming_site(error, "The replacement failed", self.sites[id(layer)])

    def _rewrite_sequential(self, model, layers):
        new_layers = []
        first = model._layers[0] if model._layers else None
        if isinstance(first, keras.layers.InputLayer):
            new_layers.append(_copy_layer(first))
        for layer in layers:
            kind, replacement = self.replacements.get(id(layer), (None, None))
            if kind == "standalone" and replacement is not None:
                new_layers.append(replacement)
                continue
            new_layers.append(self.copies[id(layer)])
            if kind == "fused":
                new_layers.append(replacement)
        new_model = keras.Sequential(name=model.name)
        for new_layer in new_layers:
            try:
                new_model.add(new_layer)
            except Exception as error:
                if id(new_layer) not in self.sites:
                    raise
                _raise_naming_site(error, "The replacement failed", self.sites[id(new_layer)])
        if model.compiled:
            new_model.compile_from_config(model.get_compile_config())
        return new_model

    def _rewrite_functional(self, model):
        after = {}  # id of a new fused layer -> the replacement that follows it

        def clone_function(operation):
            key = id(operation)
            kind, replacement = self.replacements.get(key, (None, None))
            if kind == "standalone" and replacement is not None:
                return replacement
            if key not in self.copies:
                # An operation that is not a layer, such as `keras.ops.add`.
                self.copies[key] = _copy_layer(operation)
            if kind == "fused":
                after[id(self.copies[key])] = replacement
            return self.copies[key]

        def call_function(layer, *args, **kwargs):
            outputs = self._call_naming_site(layer, *args, **kwargs)
            if id(layer) in after:
                outputs = self._call_naming_site(after[id(layer)], outputs)
            return outputs

        # A feature pyramid's levels are cloned as extra outputs, to keep them.
        pyramid = _pyramid_outputs(model)
        source = keras.Model(model.input, [model.output, pyramid]) if pyramid else model
        # `clone_model` would name the new inputs after the input tensors
        # ("keras_tensor_12"); copies of the input layers keep their names.
        inputs = {
            id(layer.output): _copy_layer(layer).output
            for layer in model.layers
            if isinstance(layer, keras.layers.InputLayer)
        }
        new_model = keras.models.clone_model(
            source,
            input_tensors=keras.tree.map_structure(lambda x: inputs[id(x)], source.input),
            clone_function=clone_function,
            call_function=call_function,
        )
        if not pyramid:
            return new_model
        outputs, levels = new_model.output
        return FeaturePyramidModel(
            new_model.input, outputs, pyramid_outputs=levels, name=model.name
        )


def _pyramid_outputs(model):
    """keras-hub's `pyramid_outputs` of a model (a dict of its tensors), or `None`."""
    levels = getattr(model, "pyramid_outputs", None)
    return levels if isinstance(levels, dict) and levels else None


def _fresh_copy(layer):
    """A copy of an activation layer with the same config and weights, built."""
    copy = _copy_layer(layer)
    build_config = layer.get_build_config() if layer.built else None
    if build_config is not None:
        copy.build_from_config(build_config)
    _copy_weights(layer, copy)
    return copy
