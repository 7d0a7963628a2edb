export { AwsSimulator, FAULT_KINDS } from './simulator';
export type {
  AwsSimulatorOptions,
  FaultKind,
  FaultOptions,
  InjectedFault,
  IvsStreamStateChangeEvent,
  SimulatedChannel,
  SimulatorStats,
  SimulatorTimings,
} from './simulator';
export { ManualClock } from './manual-clock';
