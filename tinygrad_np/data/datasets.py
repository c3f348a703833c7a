"""torchvision's `datasets` namespace: `from tinygrad_np.data import datasets;
datasets.MNIST(root, train=True, download=True, transform=ToTensor())`."""

from .fakedata import FakeData
from .mnist import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST", "FakeData"]
