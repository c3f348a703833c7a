"""Learning-rate schedulers: every schedule's lr sequence against literal values recorded from
PyTorch 2.13 (same optimizer groups, same arguments), against its closed form, resuming through
state dicts and `last_epoch`, and the errors PyTorch raises.

The multiplicative schedules (StepLR, MultiStepLR, ExponentialLR, LambdaLR and their chains) are
compared exactly: PyTorch's chained form multiplies the current lr, and so does ours, bit for bit.
Schedules that call `math.cos` are compared to 1e-12, leaving room for another platform's libm.
"""

import math
from bisect import bisect_right

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from lr_schedules import sgd

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.optim import SGD, Adam, AdamW, RMSprop
from tinygrad_np.optim.lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    SequentialLR,
    StepLR,
)


def parameter():
    return nn.Parameter(tg.zeros(1))


def adam(*lrs):
    return Adam([{"params": [parameter()], "lr": lr} for lr in lrs], betas=(0.9, 0.99))


def lr_of(group):
    return group["lr"]


def run(optimizer, schedulers, steps, read=lr_of):
    """Each group's value after the schedulers' construction and after each of `steps` steps
    (all schedulers stepped in order), as one list per group."""
    rows = [[read(group) for group in optimizer.param_groups]]
    for _ in range(steps):
        for scheduler in schedulers:
            scheduler.step()
        rows.append([read(group) for group in optimizer.param_groups])
    return tuple(list(column) for column in zip(*rows))


def assert_close(actual, expected, rtol=1e-12, atol=1e-15):
    np.testing.assert_allclose(np.array(actual, dtype=float), np.array(expected, dtype=float), rtol=rtol, atol=atol)


# ------------------------------------------------------------------ PyTorch 2.13's values
# Each table holds, per parameter group, the lr (or momentum) after construction and after each step.

# SGD groups with lr 0.05 and 0.3; StepLR(step_size=3); construction, then 30 steps
STEP_LR_TWO_GROUPS = (
    [
        0.05, 0.05, 0.05, 0.005000000000000001, 0.005000000000000001, 0.005000000000000001, 0.0005000000000000001,
        0.0005000000000000001, 0.0005000000000000001, 5.0000000000000016e-05, 5.0000000000000016e-05,
        5.0000000000000016e-05, 5.000000000000002e-06, 5.000000000000002e-06, 5.000000000000002e-06,
        5.000000000000002e-07, 5.000000000000002e-07, 5.000000000000002e-07, 5.0000000000000024e-08,
        5.0000000000000024e-08, 5.0000000000000024e-08, 5.0000000000000026e-09, 5.0000000000000026e-09,
        5.0000000000000026e-09, 5.000000000000002e-10, 5.000000000000002e-10, 5.000000000000002e-10,
        5.000000000000003e-11, 5.000000000000003e-11, 5.000000000000003e-11, 5.000000000000003e-12,
    ],
    [
        0.3, 0.3, 0.3, 0.03, 0.03, 0.03, 0.003, 0.003, 0.003, 0.00030000000000000003, 0.00030000000000000003,
        0.00030000000000000003, 3.0000000000000004e-05, 3.0000000000000004e-05, 3.0000000000000004e-05,
        3.0000000000000005e-06, 3.0000000000000005e-06, 3.0000000000000005e-06, 3.000000000000001e-07,
        3.000000000000001e-07, 3.000000000000001e-07, 3.000000000000001e-08, 3.000000000000001e-08,
        3.000000000000001e-08, 3.0000000000000012e-09, 3.0000000000000012e-09, 3.0000000000000012e-09,
        3.0000000000000015e-10, 3.0000000000000015e-10, 3.0000000000000015e-10, 3.000000000000002e-11,
    ],
)

# SGD lr 1.3; StepLR(step_size=7, gamma=0.7); construction, then 40 steps
STEP_LR_GAMMA_0_7 = (
    [
        1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 0.9099999999999999, 0.9099999999999999, 0.9099999999999999,
        0.9099999999999999, 0.9099999999999999, 0.9099999999999999, 0.9099999999999999, 0.6369999999999999,
        0.6369999999999999, 0.6369999999999999, 0.6369999999999999, 0.6369999999999999, 0.6369999999999999,
        0.6369999999999999, 0.4458999999999999, 0.4458999999999999, 0.4458999999999999, 0.4458999999999999,
        0.4458999999999999, 0.4458999999999999, 0.4458999999999999, 0.3121299999999999, 0.3121299999999999,
        0.3121299999999999, 0.3121299999999999, 0.3121299999999999, 0.3121299999999999, 0.3121299999999999,
        0.21849099999999994, 0.21849099999999994, 0.21849099999999994, 0.21849099999999994, 0.21849099999999994,
        0.21849099999999994,
    ],
)

# SGD lr 0.2; MultiStepLR(milestones=[9, 2, 5, 5], gamma=0.3); construction, then 15 steps
MULTI_STEP_LR = (
    [
        0.2, 0.2, 0.06, 0.06, 0.06, 0.005399999999999999, 0.005399999999999999, 0.005399999999999999,
        0.005399999999999999, 0.0016199999999999997, 0.0016199999999999997, 0.0016199999999999997,
        0.0016199999999999997, 0.0016199999999999997, 0.0016199999999999997, 0.0016199999999999997,
    ],
)

# SGD groups with lr 0.1 and 0.02; ExponentialLR(gamma=0.95); construction, then 50 steps
EXPONENTIAL_LR = (
    [
        0.1, 0.095, 0.09025, 0.0857375, 0.08145062499999998, 0.07737809374999999, 0.07350918906249998,
        0.06983372960937498, 0.06634204312890622, 0.0630249409724609, 0.05987369392383786, 0.05688000922764597,
        0.05403600876626367, 0.05133420832795048, 0.04876749791155295, 0.046329123015975304, 0.04401266686517654,
        0.04181203352191771, 0.039721431845821824, 0.037735360253530734, 0.035848592240854196, 0.03405616262881148,
        0.03235335449737091, 0.030735686772502362, 0.029198902433877242, 0.027738957312183378, 0.026352009446574207,
        0.025034408974245494, 0.023782688525533217, 0.022593554099256556, 0.021463876394293726, 0.020390682574579037,
        0.019371148445850084, 0.01840259102355758, 0.0174824614723797, 0.016608338398760712, 0.015777921478822676,
        0.014989025404881541, 0.014239574134637464, 0.01352759542790559, 0.012851215656510309, 0.012208654873684792,
        0.011598222130000552, 0.011018311023500524, 0.010467395472325497, 0.009944025698709221, 0.00944682441377376,
        0.00897448319308507, 0.008525759033430816, 0.008099471081759275, 0.007694497527671311,
    ],
    [
        0.02, 0.019, 0.01805, 0.0171475, 0.016290125, 0.015475618749999998, 0.014701837812499997, 0.013966745921874996,
        0.013268408625781245, 0.012604988194492182, 0.011974738784767573, 0.011376001845529194, 0.010807201753252733,
        0.010266841665590096, 0.009753499582310591, 0.00926582460319506, 0.008802533373035307, 0.008362406704383542,
        0.007944286369164364, 0.007547072050706145, 0.0071697184481708375, 0.006811232525762295, 0.0064706708994741804,
        0.006147137354500471, 0.005839780486775447, 0.005547791462436675, 0.005270401889314841, 0.005006881794849098,
        0.004756537705106643, 0.0045187108198513105, 0.004292775278858745, 0.0040781365149158075, 0.003874229689170017,
        0.0036805182047115158, 0.0034964922944759396, 0.0033216676797521425, 0.003155584295764535, 0.002997805080976308,
        0.0028479148269274926, 0.0027055190855811177, 0.0025702431313020615, 0.0024417309747369583,
        0.0023196444260001102, 0.0022036622047001044, 0.002093479094465099, 0.001988805139741844, 0.0018893648827547518,
        0.0017948966386170141, 0.0017051518066861634, 0.0016198942163518552, 0.0015388995055342625,
    ],
)

# SGD groups with lr 0.1 and 0.05; CosineAnnealingLR(T_max=10, eta_min=0.001); construction, then 45 steps
COSINE_T10 = (
    [
        0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505,
        0.03520365877844011, 0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.001,
        0.0034227024433899004, 0.01045365877844014, 0.02140463001152267, 0.035203658778440255, 0.05050000000000022,
        0.06579634122156018, 0.07959536998847777, 0.09054634122156031, 0.09757729755661054, 0.10000000000000045,
        0.09757729755661054, 0.09054634122156033, 0.07959536998847778, 0.0657963412215602, 0.050500000000000225,
        0.03520365877844027, 0.021404630011522683, 0.010453658778440154, 0.003422702443389916, 0.001,
        0.0034227024433899004, 0.010453658778440112, 0.021404630011522607, 0.03520365877844015, 0.050500000000000086,
        0.06579634122156003, 0.07959536998847759, 0.09054634122156009, 0.09757729755661032, 0.10000000000000024,
        0.09757729755661038, 0.09054634122156012, 0.07959536998847763, 0.06579634122156017, 0.05050000000000014,
    ],
    [
        0.05, 0.04880088464923127, 0.045320916362186214, 0.039900738681165594, 0.03307091636218621, 0.0255,
        0.01792908363781379, 0.01109926131883441, 0.005679083637813789, 0.0021991153507687385, 0.001,
        0.0021991153507687385, 0.005679083637813806, 0.011099261318834451, 0.017929083637813863, 0.025500000000000106,
        0.03307091636218635, 0.03990073868116576, 0.045320916362186416, 0.04880088464923148, 0.05000000000000022,
        0.04880088464923148, 0.04532091636218642, 0.03990073868116577, 0.033070916362186356, 0.02550000000000011,
        0.01792908363781387, 0.011099261318834458, 0.005679083637813813, 0.0021991153507687463, 0.001,
        0.0021991153507687385, 0.005679083637813793, 0.011099261318834423, 0.017929083637813814, 0.025500000000000043,
        0.03307091636218627, 0.03990073868116567, 0.0453209163621863, 0.04880088464923136, 0.05000000000000011,
        0.04880088464923139, 0.04532091636218631, 0.039900738681165684, 0.033070916362186335, 0.02550000000000006,
    ],
)

# SGD lr 1.0; CosineAnnealingLR(T_max=7); construction, then 30 steps
COSINE_T7 = (
    [
        1.0, 0.9504844339512095, 0.8117449009293668, 0.6112604669781572, 0.38873953302184283, 0.18825509907063326,
        0.04951556604879048, 0.0, 0.04951556604879043, 0.18825509907063315, 0.3887395330218427, 0.6112604669781567,
        0.8117449009293667, 0.9504844339512097, 1.0, 0.9504844339512097, 0.8117449009293669, 0.611260466978157,
        0.38873953302184294, 0.18825509907063337, 0.04951556604879054, 0.0, 0.04951556604879043, 0.18825509907063478,
        0.3887395330218461, 0.6112604669781625, 0.8117449009293747, 0.9504844339512181, 1.000000000000009,
        0.9504844339512184, 0.8117449009293751,
    ],
)

# SGD lr 0.5; CosineAnnealingLR(T_max=1); construction, then 6 steps
COSINE_T1 = (
    [
        0.5, 0.0, 0.5, 0.0, 0.5, 0.0, 0.5,
    ],
)

# SGD groups with lr 0.1 and 0.2; LambdaLR([lambda e: e // 3, lambda e: 0.9**e]); construction, then 30 steps
LAMBDA_LR = (
    [
        0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.30000000000000004, 0.30000000000000004, 0.30000000000000004, 0.4,
        0.4, 0.4, 0.5, 0.5, 0.5, 0.6000000000000001, 0.6000000000000001, 0.6000000000000001, 0.7000000000000001,
        0.7000000000000001, 0.7000000000000001, 0.8, 0.8, 0.8, 0.9, 0.9, 0.9, 1.0,
    ],
    [
        0.2, 0.18000000000000002, 0.16200000000000003, 0.1458, 0.13122, 0.11809800000000002, 0.10628820000000001,
        0.09565938000000002, 0.08609344200000002, 0.07748409780000003, 0.06973568802000002, 0.06276211921800001,
        0.056485907296200025, 0.05083731656658002, 0.04575358490992202, 0.04117822641892982, 0.037060403777036836,
        0.033354363399333155, 0.030018927059399837, 0.027017034353459857, 0.024315330918113873, 0.021883797826302485,
        0.01969541804367224, 0.017725876239305015, 0.01595328861537451, 0.01435795975383706, 0.012922163778453356,
        0.01162994740060802, 0.01046695266054722, 0.009420257394492497, 0.008478231655043248,
    ],
)

# SGD groups; OneCycleLR(max_lr=[1.0, 0.5], total_steps=30, base_momentum=[0.85, 0.8], max_momentum=[0.95, 0.9]);
# construction, then 30 steps
ONE_CYCLE_SGD_LR = (
    [
        0.040000000000000036, 0.07653782439458245, 0.1805887450304573, 0.33631195246475687, 0.52, 0.703688047535243,
        0.8594112549695427, 0.9634621756054176, 1.0, 0.9944154354509117, 0.9777864917474588, 0.9504846320134737,
        0.9131197346804488, 0.8665264698111694, 0.8117456539497631, 0.750001, 0.6826717815011489, 0.6112620219362893,
        0.537366897333025, 0.46263710266697505, 0.38874197806371075, 0.31733221849885124, 0.2500030000000001,
        0.18825834605023697, 0.1334775301888306, 0.08688426531955129, 0.049519367986526286, 0.02221750825254118,
        0.005588564549088188, 4e-06, 0.005588564549088188,
    ],
    [
        0.020000000000000018, 0.03826891219729123, 0.09029437251522865, 0.16815597623237843, 0.26, 0.3518440237676215,
        0.42970562748477137, 0.4817310878027088, 0.5, 0.49720771772545586, 0.4888932458737294, 0.47524231600673683,
        0.4565598673402244, 0.4332632349055847, 0.40587282697488153, 0.3750005, 0.34133589075057447,
        0.30563101096814466, 0.2686834486665125, 0.23131855133348753, 0.19437098903185537, 0.15866610924942562,
        0.12500150000000004, 0.09412917302511849, 0.0667387650944153, 0.043442132659775645, 0.024759683993263143,
        0.01110875412627059, 0.002794282274544094, 2e-06, 0.002794282274544094,
    ],
)

# ... and each group's momentum
ONE_CYCLE_SGD_MOMENTUM = (
    [
        0.95, 0.9461939766255643, 0.9353553390593273, 0.9191341716182544, 0.8999999999999999, 0.8808658283817454,
        0.8646446609406726, 0.8538060233744357, 0.85, 0.8505584586887436, 0.8522213597106929, 0.854951556604879,
        0.8586880612842003, 0.8633474064085087, 0.8688255099070633, 0.875, 0.8817329487816802, 0.8888739533021842,
        0.8962634953206787, 0.9037365046793212, 0.9111260466978157, 0.9182670512183198, 0.9249999999999999,
        0.9311744900929366, 0.9366525935914912, 0.9413119387157997, 0.945048443395121, 0.947778640289307,
        0.9494415413112564, 0.95, 0.9494415413112564,
    ],
    [
        0.9, 0.8961939766255643, 0.8853553390593274, 0.8691341716182546, 0.8500000000000001, 0.8308658283817456,
        0.8146446609406727, 0.8038060233744357, 0.8, 0.8005584586887436, 0.802221359710693, 0.804951556604879,
        0.8086880612842003, 0.8133474064085088, 0.8188255099070634, 0.8250000000000001, 0.8317329487816802,
        0.8388739533021843, 0.8462634953206788, 0.8537365046793213, 0.8611260466978158, 0.8682670512183198, 0.875,
        0.8811744900929367, 0.8866525935914913, 0.8913119387157997, 0.895048443395121, 0.8977786402893071,
        0.8994415413112564, 0.9, 0.8994415413112564,
    ],
)

# Adam(betas=(0.9, 0.99)); OneCycleLR(max_lr=0.01, epochs=4, steps_per_epoch=10, anneal_strategy="linear");
# construction, then 40 steps
ONE_CYCLE_ADAM_LINEAR_LR = (
    [
        0.0004, 0.0012727272727272728, 0.002145454545454546, 0.0030181818181818183, 0.0038909090909090916,
        0.004763636363636364, 0.005636363636363636, 0.00650909090909091, 0.007381818181818183, 0.008254545454545455,
        0.009127272727272727, 0.01, 0.009642858571428572, 0.009285717142857143, 0.008928575714285715,
        0.008571434285714287, 0.008214292857142858, 0.007857151428571428, 0.00750001, 0.007142868571428571,
        0.006785727142857143, 0.0064285857142857145, 0.006071444285714286, 0.005714302857142858, 0.005357161428571428,
        0.00500002, 0.004642878571428572, 0.004285737142857143, 0.003928595714285715, 0.0035714542857142855,
        0.003214312857142857, 0.0028571714285714287, 0.0025000300000000003, 0.002142888571428572, 0.0017857471428571435,
        0.001428605714285715, 0.001071464285714285, 0.0007143228571428566, 0.00035718142857142816,
        3.999999999976245e-08, -0.0003571014285714304,
    ],
)

# ... and betas[0]
ONE_CYCLE_ADAM_LINEAR_BETA1 = (
    [
        0.95, 0.9409090909090909, 0.9318181818181818, 0.9227272727272727, 0.9136363636363636, 0.9045454545454545,
        0.8954545454545454, 0.8863636363636364, 0.8772727272727272, 0.8681818181818182, 0.8590909090909091, 0.85,
        0.8535714285714285, 0.8571428571428571, 0.8607142857142857, 0.8642857142857142, 0.8678571428571429,
        0.8714285714285714, 0.875, 0.8785714285714286, 0.8821428571428571, 0.8857142857142857, 0.8892857142857142,
        0.8928571428571428, 0.8964285714285714, 0.8999999999999999, 0.9035714285714286, 0.9071428571428571,
        0.9107142857142857, 0.9142857142857143, 0.9178571428571428, 0.9214285714285714, 0.9249999999999999,
        0.9285714285714285, 0.932142857142857, 0.9357142857142857, 0.9392857142857143, 0.9428571428571428,
        0.9464285714285714, 0.95, 0.9535714285714285,
    ],
)

# SGD; OneCycleLR(max_lr=2.0, total_steps=40, pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
# three_phase=True); construction, then 40 steps
ONE_CYCLE_THREE_PHASE_LR = (
    [
        0.19999999999999996, 0.25427664129268246, 0.4105600011929198, 0.6499999999999999, 0.9437166400997625,
        1.2562833599002372, 1.5499999999999998, 1.7894399988070802, 1.9457233587073175, 2.0, 1.9457233587073175,
        1.7894399988070802, 1.55, 1.2562833599002374, 0.9437166400997627, 0.6500000000000002, 0.4105600011929199,
        0.2542766412926825, 0.2, 0.19889425179628772, 0.19560170777282795, 0.1901959179223395, 0.18279763865728352,
        0.17357213531115281, 0.16272549038401463, 0.15050000000000002, 0.13716876141227313, 0.12302957246167513,
        0.10839827926505602, 0.09360172073494401, 0.07897042753832488, 0.0648312385877269, 0.051500000000000025,
        0.03927450961598539, 0.028427864688847213, 0.01920236134271653, 0.011804082077660516, 0.006398292227172062,
        0.0031057482037122764, 0.002, 0.0031057482037122764,
    ],
)

# ... and momentum
ONE_CYCLE_THREE_PHASE_MOMENTUM = (
    [
        0.95, 0.9469846310392954, 0.9383022221559488, 0.9249999999999999, 0.9086824088833465, 0.8913175911166534, 0.875,
        0.8616977778440511, 0.8530153689607045, 0.85, 0.8530153689607045, 0.8616977778440511, 0.875, 0.8913175911166534,
        0.9086824088833465, 0.9249999999999999, 0.9383022221559488, 0.9469846310392954, 0.95, 0.95, 0.95, 0.95, 0.95,
        0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95,
    ],
)

# SGD lr 1.0; ExponentialLR(gamma=0.9) and MultiStepLR([3, 6], gamma=0.1) stepped together; construction, then 10 steps
CHAINED_EXPONENTIAL_MULTI_STEP = (
    [
        1.0, 0.9, 0.81, 0.0729, 0.06561, 0.059049000000000004, 0.005314410000000001, 0.0047829690000000015,
        0.004304672100000001, 0.0038742048900000012, 0.003486784401000001,
    ],
)

# SGD lr 1.0; CosineAnnealingLR(T_max=8, eta_min=0.01) and StepLR(step_size=4, gamma=0.5) stepped together;
# construction, then 20 steps
CHAINED_COSINE_STEP = (
    [
        1.0, 0.9623203685930869, 0.855017856687341, 0.6944282990207195, 0.25249999999999995, 0.15969926765146572,
        0.08102660556226222, 0.028459213366012967, 0.005, 0.04267963140691306, 0.13574334798754623, 0.2750230425171895,
        0.21965732203864002, 0.29988970565685985, 0.36790743617757415, 0.41335543071126696, 0.21465732203864,
        0.2068680165243553, 0.18468595113582073, 0.15148814424751722, 0.05616433050966001,
    ],
)

# Constructed with last_epoch=2 on an SGD group with lr 0.1 and initial_lr 1.0; construction, then 4 steps
RESUMED_AT_EPOCH_2 = {
    "StepLR": [0.05, 0.05, 0.05, 0.025, 0.025],
    "MultiStepLR": [0.05, 0.05, 0.025, 0.025, 0.025],
    "ExponentialLR": [0.1, 0.05, 0.025, 0.0125, 0.00625],
    "CosineAnnealingLR": [0.1, 0.01, 0.15498214331265897, 0.5050000000000001, 0.8550178566873414],
    "LambdaLR": [0.125, 0.0625, 0.03125, 0.015625, 0.0078125],
    "LinearLR": [0.1, 0.1181818181818182, 0.13636363636363635, 0.13636363636363635, 0.13636363636363635],
    "ConstantLR": [0.1, 0.2, 0.2, 0.2, 0.2],
    "PolynomialLR": [0.1, 0.04444444444444445, 0.011111111111111106, 0.0, 0.0],
    "CosineAnnealingWarmRestarts": [1.0, 0.9336825748732972, 0.7525, 0.505, 0.2575000000000001],
}

# ------------------------------------------------------------------ parity with PyTorch

MULTIPLICATIVE_SCHEDULES = {
    "StepLR, two groups": ((0.05, 0.3), lambda o: [StepLR(o, 3)], 30, STEP_LR_TWO_GROUPS),
    "StepLR, gamma 0.7": ((1.3,), lambda o: [StepLR(o, 7, gamma=0.7)], 40, STEP_LR_GAMMA_0_7),
    "MultiStepLR, unsorted and repeated milestones": (
        (0.2,), lambda o: [MultiStepLR(o, [9, 2, 5, 5], gamma=0.3)], 15, MULTI_STEP_LR),
    "ExponentialLR, two groups": ((0.1, 0.02), lambda o: [ExponentialLR(o, 0.95)], 50, EXPONENTIAL_LR),
    "LambdaLR, one lambda per group": (
        (0.1, 0.2), lambda o: [LambdaLR(o, [lambda e: e // 3, lambda e: 0.9**e])], 30, LAMBDA_LR),
    "ExponentialLR chained with MultiStepLR": (
        (1.0,), lambda o: [ExponentialLR(o, 0.9), MultiStepLR(o, [3, 6], gamma=0.1)], 10,
        CHAINED_EXPONENTIAL_MULTI_STEP),
}


@pytest.mark.parametrize("name", MULTIPLICATIVE_SCHEDULES)
def test_multiplicative_schedules_match_pytorch_exactly(name):
    lrs, make, steps, expected = MULTIPLICATIVE_SCHEDULES[name]
    optimizer = sgd(*lrs)
    assert run(optimizer, make(optimizer), steps) == expected


COSINE_SCHEDULES = {
    "T_max 10, eta_min 0.001, two groups, through a restart": (
        (0.1, 0.05), lambda o: [CosineAnnealingLR(o, 10, eta_min=0.001)], 45, COSINE_T10),
    "T_max 7": ((1.0,), lambda o: [CosineAnnealingLR(o, 7)], 30, COSINE_T7),
    "T_max 1": ((0.5,), lambda o: [CosineAnnealingLR(o, 1)], 6, COSINE_T1),
    "chained with StepLR": (
        (1.0,), lambda o: [CosineAnnealingLR(o, 8, eta_min=0.01), StepLR(o, 4, gamma=0.5)], 20, CHAINED_COSINE_STEP),
}


@pytest.mark.parametrize("name", COSINE_SCHEDULES)
def test_cosine_annealing_matches_pytorch(name):
    lrs, make, steps, expected = COSINE_SCHEDULES[name]
    optimizer = sgd(*lrs)
    for actual, torch_lrs in zip(run(optimizer, make(optimizer), steps), expected, strict=True):
        assert_close(actual, torch_lrs)


def test_one_cycle_with_sgd_groups_matches_pytorch_lr_and_momentum():
    optimizer = sgd(0.1, 0.3)
    scheduler = OneCycleLR(optimizer, [1.0, 0.5], total_steps=30, base_momentum=[0.85, 0.8], max_momentum=[0.95, 0.9])
    values = run(optimizer, [scheduler], 30, read=lambda group: (group["lr"], group["momentum"]))
    for group_values, torch_lrs, torch_momenta in zip(values, ONE_CYCLE_SGD_LR, ONE_CYCLE_SGD_MOMENTUM, strict=True):
        assert_close([lr for lr, _ in group_values], torch_lrs)
        assert_close([momentum for _, momentum in group_values], torch_momenta)


def test_one_cycle_linear_with_adam_matches_pytorch_lr_and_beta1_and_keeps_beta2():
    optimizer = adam(0.001)
    scheduler = OneCycleLR(optimizer, 0.01, epochs=4, steps_per_epoch=10, anneal_strategy="linear")
    assert scheduler.total_steps == 40
    (values,) = run(optimizer, [scheduler], 40, read=lambda group: (group["lr"], group["betas"]))
    assert_close([lr for lr, _ in values], ONE_CYCLE_ADAM_LINEAR_LR[0])
    assert_close([beta1 for _, (beta1, _) in values], ONE_CYCLE_ADAM_LINEAR_BETA1[0])
    assert all(isinstance(betas, tuple) and betas[1] == 0.99 for _, betas in values)


def test_one_cycle_three_phase_matches_pytorch_lr_and_momentum():
    optimizer = sgd(0.1)
    scheduler = OneCycleLR(optimizer, 2.0, total_steps=40, pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
                           three_phase=True)
    (values,) = run(optimizer, [scheduler], 40, read=lambda group: (group["lr"], group["momentum"]))
    assert_close([lr for lr, _ in values], ONE_CYCLE_THREE_PHASE_LR[0])
    assert_close([momentum for _, momentum in values], ONE_CYCLE_THREE_PHASE_MOMENTUM[0])


RESUMABLE = {
    "StepLR": lambda o: StepLR(o, 3, gamma=0.5, last_epoch=2),
    "MultiStepLR": lambda o: MultiStepLR(o, [2, 3, 5], gamma=0.5, last_epoch=2),
    "ExponentialLR": lambda o: ExponentialLR(o, 0.5, last_epoch=2),
    "CosineAnnealingLR": lambda o: CosineAnnealingLR(o, 4, eta_min=0.01, last_epoch=2),
    "LambdaLR": lambda o: LambdaLR(o, lambda e: 0.5**e, last_epoch=2),
    "LinearLR": lambda o: LinearLR(o, 0.25, 0.75, total_iters=5, last_epoch=2),
    "ConstantLR": lambda o: ConstantLR(o, 0.5, total_iters=4, last_epoch=2),
    "PolynomialLR": lambda o: PolynomialLR(o, total_iters=6, power=2.0, last_epoch=2),
    "CosineAnnealingWarmRestarts": lambda o: CosineAnnealingWarmRestarts(o, 3, T_mult=2, eta_min=0.01, last_epoch=2),
}


@pytest.mark.parametrize("name", RESUMABLE)
def test_construction_with_last_epoch_resumes_as_pytorch(name):
    """The constructor's step goes to epoch 3 from the group's current lr (0.1) and 'initial_lr'
    (1.0): StepLR and MultiStepLR decay there (3 is a decay epoch), ExponentialLR and
    CosineAnnealingLR keep the current lr, LambdaLR computes 1.0 · 0.5³; LinearLR, ConstantLR
    and PolynomialLR apply their factor for epoch 3 to the current lr, and
    CosineAnnealingWarmRestarts restarts (epoch 3 ends the first period of 3)."""
    optimizer = sgd(0.1)
    optimizer.param_groups[0]["initial_lr"] = 1.0
    scheduler = RESUMABLE[name](optimizer)
    assert scheduler.last_epoch == 3
    assert_close(run(optimizer, [scheduler], 4)[0], RESUMED_AT_EPOCH_2[name])


# ------------------------------------------------------------------ closed forms


@given(st.integers(1, 8), st.floats(0.05, 1.0), st.floats(1e-4, 10.0))
def test_step_lr_is_base_lr_times_gamma_to_the_number_of_whole_periods(step_size, gamma, lr):
    optimizer = sgd(lr)
    (lrs,) = run(optimizer, [StepLR(optimizer, step_size, gamma=gamma)], 40)
    assert_close(lrs, [lr * gamma ** (t // step_size) for t in range(41)])


@given(st.lists(st.integers(1, 30), max_size=6), st.floats(0.05, 1.0))
def test_multi_step_lr_is_base_lr_times_gamma_to_the_number_of_milestones_passed(milestones, gamma):
    optimizer = sgd(0.7)
    (lrs,) = run(optimizer, [MultiStepLR(optimizer, milestones, gamma=gamma)], 35)
    assert_close(lrs, [0.7 * gamma ** bisect_right(sorted(milestones), t) for t in range(36)])


@given(st.floats(0.5, 1.0), st.floats(1e-4, 10.0))
def test_exponential_lr_is_base_lr_times_gamma_to_the_epoch(gamma, lr):
    optimizer = sgd(lr)
    (lrs,) = run(optimizer, [ExponentialLR(optimizer, gamma)], 60)
    assert_close(lrs, [lr * gamma**t for t in range(61)])


@given(st.integers(1, 40), st.floats(0.0, 1.0), st.floats(1e-3, 10.0))
def test_cosine_annealing_follows_the_sgdr_closed_form_through_its_troughs(T_max, eta_fraction, lr):
    eta_min = eta_fraction * lr
    optimizer = sgd(lr)
    (lrs,) = run(optimizer, [CosineAnnealingLR(optimizer, T_max, eta_min=eta_min)], 3 * T_max)
    closed_form = [eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2 for t in range(3 * T_max + 1)]
    assert_close(lrs, closed_form, rtol=0, atol=1e-12 * lr)


def test_lambda_lr_is_base_lr_times_the_lambda_of_the_epoch():
    optimizer = sgd(0.5)
    (lrs,) = run(optimizer, [LambdaLR(optimizer, lambda e: 1 / (e + 1))], 20)
    assert lrs == [0.5 * (1 / (t + 1)) for t in range(21)]


def one_cycle_closed_form(t, total_steps, pct_start, max_lr, div_factor, final_div_factor, cos):
    """The two-phase 1cycle lr at step t: up from max_lr / div_factor to max_lr by step
    pct_start * total_steps - 1, then down to max_lr / div_factor / final_div_factor at the last step."""
    initial = max_lr / div_factor
    peak = pct_start * total_steps - 1
    if t <= peak:
        start, end, p = initial, max_lr, t / peak
    else:
        start, end, p = max_lr, initial / final_div_factor, (t - peak) / (total_steps - 1 - peak)
    weight = (1 + math.cos(math.pi * p)) / 2 if cos else 1 - p
    return end + (start - end) * weight


@given(st.integers(3, 120), st.floats(0.1, 0.9), st.floats(1e-3, 10.0), st.booleans())
def test_one_cycle_follows_its_closed_form_with_momentum_mirroring_the_lr(total_steps, pct_start, max_lr, cos):
    peak = pct_start * total_steps - 1
    assume(0 < peak < total_steps - 1)  # both phases have steps
    optimizer = sgd(0.1)
    scheduler = OneCycleLR(optimizer, max_lr, total_steps=total_steps, pct_start=pct_start,
                           anneal_strategy="cos" if cos else "linear")
    (values,) = run(optimizer, [scheduler], total_steps - 1, read=lambda group: (group["lr"], group["momentum"]))
    lrs = [lr for lr, _ in values]
    expected = [one_cycle_closed_form(t, total_steps, pct_start, max_lr, 25.0, 1e4, cos) for t in range(total_steps)]
    assert_close(lrs, expected, rtol=1e-12, atol=1e-15 * max_lr)
    assert lrs[-1] == pytest.approx(max_lr / 25.0 / 1e4, rel=1e-12)
    for t, (lr, momentum) in enumerate(values):
        high = max_lr if t <= peak else max_lr / 25.0 / 1e4
        low = max_lr / 25.0 if t <= peak else max_lr
        lr_fraction = (lr - low) / (high - low)  # 0 at the phase's start, 1 at its end
        momentum_fraction = (momentum - 0.95) / (0.85 - 0.95) if t <= peak else (momentum - 0.85) / (0.95 - 0.85)
        assert momentum_fraction == pytest.approx(lr_fraction, abs=1e-9)


# ------------------------------------------------------------------ the base class


def test_construction_records_initial_lr_and_takes_the_first_step():
    optimizer = sgd(0.1, 0.2)
    scheduler = StepLR(optimizer, 3)
    assert scheduler.last_epoch == 0
    assert [group["initial_lr"] for group in optimizer.param_groups] == [0.1, 0.2]
    assert scheduler.base_lrs == [0.1, 0.2]
    assert scheduler.get_last_lr() == [0.1, 0.2]


def test_a_second_scheduler_keeps_the_first_ones_initial_lr():
    optimizer = sgd(0.1)
    first = StepLR(optimizer, 1, gamma=0.5)
    first.step()
    second = ExponentialLR(optimizer, 0.9)
    assert optimizer.param_groups[0]["initial_lr"] == 0.1
    assert second.base_lrs == [0.1]


def test_step_writes_each_groups_lr_and_get_last_lr_reports_them():
    optimizer = sgd(1.0, 2.0)
    scheduler = StepLR(optimizer, 1, gamma=0.5)
    scheduler.step()
    assert [group["lr"] for group in optimizer.param_groups] == [0.5, 1.0]
    assert scheduler.last_epoch == 1
    assert scheduler.get_last_lr() == [0.5, 1.0]


def test_get_last_lr_returns_a_copy():
    scheduler = StepLR(sgd(0.1), 3)
    scheduler.get_last_lr().append(1.0)
    assert scheduler.get_last_lr() == [0.1]


def test_base_scheduler_needs_get_lr():
    with pytest.raises(NotImplementedError):
        LRScheduler(sgd(0.1))


def test_resuming_without_initial_lr_raises_key_error():
    with pytest.raises(KeyError, match=r"initial_lr.*param_groups\[1\]"):
        optimizer = sgd(0.1, 0.2)
        optimizer.param_groups[0]["initial_lr"] = 0.1
        StepLR(optimizer, 3, last_epoch=5)


def test_a_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="object is not an Optimizer"):
        StepLR(object(), 3)


# ------------------------------------------------------------------ state dicts


def test_state_dict_holds_every_attribute_but_the_optimizer():
    scheduler = StepLR(sgd(0.1), 3, gamma=0.5)
    scheduler.step()
    state = scheduler.state_dict()
    assert "optimizer" not in state
    assert state == {key: value for key, value in vars(scheduler).items() if key != "optimizer"}
    assert (state["step_size"], state["gamma"], state["base_lrs"], state["last_epoch"]) == (3, 0.5, [0.1], 1)


SCHEDULES = {
    "StepLR": (sgd, lambda o: StepLR(o, 3, gamma=0.5)),
    "MultiStepLR": (sgd, lambda o: MultiStepLR(o, [4, 9, 9, 15], gamma=0.5)),
    "ExponentialLR": (sgd, lambda o: ExponentialLR(o, 0.9)),
    "CosineAnnealingLR": (sgd, lambda o: CosineAnnealingLR(o, 6, eta_min=0.01)),
    "LambdaLR": (sgd, lambda o: LambdaLR(o, lambda e: 0.9**e)),
    "OneCycleLR with SGD": (sgd, lambda o: OneCycleLR(o, [1.0, 2.0], total_steps=25)),
    "OneCycleLR with Adam, three phases": (adam, lambda o: OneCycleLR(o, 0.1, total_steps=25, three_phase=True)),
    "LinearLR": (sgd, lambda o: LinearLR(o, 0.1, total_iters=10)),
    "ConstantLR": (sgd, lambda o: ConstantLR(o, 0.5, total_iters=9)),
    "PolynomialLR": (sgd, lambda o: PolynomialLR(o, total_iters=20, power=0.5)),
    "CosineAnnealingWarmRestarts": (sgd, lambda o: CosineAnnealingWarmRestarts(o, 2, T_mult=3, eta_min=0.01)),
    "SequentialLR": (sgd, lambda o: SequentialLR(o, [LinearLR(o, 0.1, total_iters=3), CosineAnnealingLR(o, 5),
                                                     ExponentialLR(o, 0.9)], milestones=[4, 9])),
    "ChainedScheduler": (sgd, lambda o: ChainedScheduler([ConstantLR(o, 0.1, total_iters=9), ExponentialLR(o, 0.9)])),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_load_state_dict_resumes_the_same_sequence(name):
    """As PyTorch documents: build the new scheduler, then load the optimizer's state dict (which
    carries the lrs and the scheduler's keys in the groups), then the scheduler's."""
    make_optimizer, make_scheduler = SCHEDULES[name]
    optimizer = make_optimizer(0.1, 0.2)
    scheduler = make_scheduler(optimizer)
    run(optimizer, [scheduler], 7)
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()
    uninterrupted = run(optimizer, [scheduler], 17, read=lambda group: dict(group, params=None))

    resumed_optimizer = make_optimizer(0.1, 0.2)
    resumed = make_scheduler(resumed_optimizer)
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved_scheduler)
    assert run(resumed_optimizer, [resumed], 17, read=lambda group: dict(group, params=None)) == uninterrupted


class Warmup:
    """A callable object: its attributes go into LambdaLR's state dict."""

    def __init__(self, epochs):
        self.epochs = epochs

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.epochs)


def test_lambda_lr_state_dict_saves_callable_objects_attributes_and_none_for_functions():
    scheduler = LambdaLR(sgd(0.1, 0.2), [Warmup(5), lambda e: 1.0])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"epochs": 5}, None]
    assert "optimizer" not in state


def test_lambda_lr_load_state_dict_restores_callable_objects_and_keeps_functions():
    source = LambdaLR(sgd(0.1, 0.2), [Warmup(8), lambda e: 1.0])
    source.step()
    keep = lambda e: 0.5  # noqa: E731
    target = LambdaLR(sgd(0.1, 0.2), [Warmup(2), keep])
    state = source.state_dict()
    target.load_state_dict(state)
    assert target.lr_lambdas[0].epochs == 8
    assert target.lr_lambdas[1] is keep
    assert target.last_epoch == 1
    assert state["lr_lambdas"] == [{"epochs": 8}, None]  # the state dict is not consumed


# ------------------------------------------------------------------ OneCycleLR specifics


def test_one_cycle_may_step_to_total_steps_but_not_beyond():
    optimizer = sgd(0.1)
    scheduler = OneCycleLR(optimizer, 1.0, total_steps=30)
    run(optimizer, [scheduler], 30)
    assert scheduler.last_epoch == 30
    with pytest.raises(ValueError, match="Tried to step 31 times. The specified number of total steps is 30"):
        scheduler.step()


def test_one_cycle_overwrites_initial_lr_and_records_its_bounds_in_each_group():
    optimizer = sgd(0.1, 0.3)
    OneCycleLR(optimizer, [1.0, 0.5], total_steps=10, div_factor=4.0, final_div_factor=10.0)
    group = optimizer.param_groups[1]
    assert (group["initial_lr"], group["max_lr"], group["min_lr"]) == (0.125, 0.5, 0.0125)
    assert (group["max_momentum"], group["base_momentum"]) == (0.95, 0.85)


@pytest.mark.parametrize("optimizer_class, read", [
    (SGD, lambda group: group["momentum"]),
    (RMSprop, lambda group: group["momentum"]),
    (Adam, lambda group: group["betas"][0]),
    (AdamW, lambda group: group["betas"][0]),
])
def test_one_cycle_cycles_momentum_or_beta1_from_max_to_base_at_the_peak(optimizer_class, read):
    optimizer = optimizer_class([parameter()], lr=0.1)
    scheduler = OneCycleLR(optimizer, 1.0, total_steps=10, pct_start=0.5, base_momentum=0.8, max_momentum=0.9)
    assert read(optimizer.param_groups[0]) == pytest.approx(0.9, rel=1e-15)
    run(optimizer, [scheduler], 4)
    assert read(optimizer.param_groups[0]) == pytest.approx(0.8, rel=1e-15)
    assert scheduler.get_last_lr() == [pytest.approx(1.0, rel=1e-15)]


def test_one_cycle_without_cycle_momentum_leaves_momentum_alone():
    optimizer = sgd(0.1, momentum=0.5)
    run(optimizer, [OneCycleLR(optimizer, 1.0, total_steps=10, cycle_momentum=False)], 10)
    assert optimizer.param_groups[0]["momentum"] == 0.5
    assert "max_momentum" not in optimizer.param_groups[0]


class LrOnly:
    """An optimizer with neither momentum nor betas (like PyTorch's Adagrad)."""

    def __init__(self):
        self.param_groups = [{"params": [parameter()], "lr": 0.1}]


def test_one_cycle_cycling_momentum_needs_momentum_or_betas():
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1 with `cycle_momentum` option"):
        OneCycleLR(LrOnly(), 1.0, total_steps=10)
    scheduler = OneCycleLR(LrOnly(), 1.0, total_steps=10, cycle_momentum=False)
    assert scheduler.get_last_lr() == [pytest.approx(0.04, rel=1e-14)]


@pytest.mark.parametrize("arguments, message", [
    (dict(), r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (dict(epochs=3), r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (dict(steps_per_epoch=3), r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (dict(total_steps=0), "Expected positive integer total_steps, but got 0"),
    (dict(total_steps=-2), "Expected positive integer total_steps, but got -2"),
    (dict(total_steps=2.0), "Expected positive integer total_steps, but got 2.0"),
    (dict(epochs=0, steps_per_epoch=3), "Expected positive integer epochs, but got 0"),
    (dict(epochs=2.0, steps_per_epoch=3), "Expected positive integer epochs, but got 2.0"),
    (dict(epochs=2, steps_per_epoch=0), "Expected positive integer steps_per_epoch, but got 0"),
    (dict(total_steps=10, pct_start=1.5), "Expected float between 0 and 1 pct_start, but got 1.5"),
    (dict(total_steps=10, pct_start=-0.1), "Expected float between 0 and 1 pct_start, but got -0.1"),
    (dict(total_steps=10, pct_start=1), "Expected float between 0 and 1 pct_start, but got 1"),
    (dict(total_steps=10, anneal_strategy="exp"), "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    (dict(total_steps=10, max_lr=[1.0, 2.0, 3.0]),
     r"max_lr must have the same length as optimizer.param_groups. max_lr has 3 values, param_groups has 2."),
    (dict(total_steps=10, base_momentum=[0.8]),
     r"base_momentum must have the same length as optimizer.param_groups. base_momentum has 1 values"),
    (dict(total_steps=10, max_momentum=(0.9, 0.9, 0.9)), r"max_momentum must have the same length"),
])
def test_one_cycle_rejects_invalid_arguments_as_pytorch(arguments, message):
    arguments = {"max_lr": 1.0, **arguments}
    with pytest.raises(ValueError, match=message):
        OneCycleLR(sgd(0.1, 0.2), **arguments)


def test_one_cycle_total_steps_takes_precedence_over_epochs():
    scheduler = OneCycleLR(sgd(0.1), 1.0, total_steps=7, epochs=-2, steps_per_epoch=3)
    assert scheduler.total_steps == 7


@pytest.mark.parametrize("arguments, step", [
    (dict(total_steps=10, pct_start=0.1), 0),
    (dict(total_steps=10, pct_start=1.0), 10),
    (dict(total_steps=3, pct_start=2 / 3, three_phase=True), 3),
])
def test_one_cycle_raises_value_error_on_reaching_a_phase_with_no_steps(arguments, step):
    """Where PyTorch raises ZeroDivisionError."""
    optimizer = sgd(0.1)
    with pytest.raises(ValueError, match=f"step {step} falls in phase"):
        run(optimizer, [OneCycleLR(optimizer, 1.0, **arguments)], step)


def test_lambda_lr_needs_one_lambda_per_group():
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 3"):
        LambdaLR(sgd(0.1, 0.2), [lambda e: 1.0] * 3)
