export { AwsSimulator, FAULT_KINDS } from './simulator';
export type {
  AwsSimulatorOptions,
  FaultKind,
  FaultOptions,
  InjectedFault,
  SimulatedChannel,
  SimulatorStats,
  SimulatorTimings,
} from './simulator';
export { ManualClock } from './manual-clock';
