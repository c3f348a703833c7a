"""torchvision's `datasets` namespace: `from tinygrad_np.data import datasets;
datasets.MNIST(root, train=True, download=True, transform=ToTensor())`."""

from .mnist import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST"]
