"""Probability distributions (PyTorch's `torch.distributions`): sampling, log-densities,
entropies and KL divergences, composed from Tensor ops so that gradients flow through
`log_prob` (score-function estimators such as REINFORCE) and `rsample` (reparameterization,
as in VAEs). See docs/distributions.md.
"""

from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .independent import Independent
from .kl import kl_divergence, register_kl
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Independent", "Normal", "OneHotCategorical", "Uniform",
           "constraints", "kl_divergence", "register_kl"]
